"""A DurablePlatform is a Platform to a Python host (issue 13): the same commands and queries with
the same keyword arguments, validation, errors, return types and docstrings, and every view and
planner that takes a Platform takes a DurablePlatform (its in-memory copy). Real SQLite files."""

import datetime as dt
import re

import pytest

import sala
from conftest import madrid, seed_2086_settings, symposium_users, utc, webinar

pytestmark = pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")

ONLY_PLATFORM = {"restore"}  # a DurablePlatform restores from its store
# Taking in others' commits, and history (what left the live state stays in the store).
# Group commit: several commands in one store transaction.
ONLY_DURABLE = {"refresh", "version", "history", "history_of", "archive_finished", "syncs",
                "reloads", "last_reload_reason", "begin_group", "commit_group", "rollback_group", "in_group",
                "enable_webhooks"}


def public(cls):
    return {n for n in vars(cls) if not n.startswith("_")}


def doc_of(cls, name):
    """The docstring without pybind11's signature lines (they name the class)."""
    member = vars(cls)[name]
    doc = member.__doc__ or ""
    return re.sub(r"sala\._sala\.(Durable)?Platform", "P", doc)


def test_durable_platform_has_every_platform_member_with_the_same_signature_and_doc():
    p, d = public(sala.Platform), public(sala.DurablePlatform)
    assert p - d == ONLY_PLATFORM
    assert d - p == ONLY_DURABLE
    for name in sorted(p & d):
        assert doc_of(sala.Platform, name) == doc_of(sala.DurablePlatform, name), name
    # Properties stay properties.
    for name in ("settings", "policy_name"):
        assert isinstance(vars(sala.DurablePlatform)[name], property)


def seed_commands(p):
    """One script of commands, run on a Platform and on a DurablePlatform."""
    rep = p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    r09, r10, r11 = rep.new_rooms[:3]
    for r in (r09, r10, r11):
        p.activate(r)
    p.set_mode(r09, sala.RoomMode.AUTOMATIC)
    out = [rep]
    # The keyword form of submit, the R8 choose= argument and panelists.
    out.append(p.submit(title="A", start=madrid(2021, 5, 12, 15, 5), duration=50, event_id="2086",
                        organizer=sala.Organizer("Soporte", "support@symposium.events"),
                        panelists=["panel@example.org"], expected_attendees=40))
    out.append(p.submit(webinar("B", 2021, 5, 12, 15, 5, 50)))  # r09 is busy: queued
    out.append(p.submit(title="C", start=dt.datetime(2021, 10, 31, 2, 30), zone="Europe/Madrid",
                        duration=30, event_id="2090", choose=sala.Choose.LATEST,
                        organizer=sala.Organizer("Soporte", "support@symposium.events")))
    queued = p.queue()[0].id
    out.append(p.assign(queued, r10))
    out.append(p.reassign(queued, r11))
    out.append(p.retry_queue())
    p.set_policy(sala.PolicyKind.BEST_FIT)
    out.append(p.policy_name)
    out.append(p.takes_new_requests(rep.pool))
    p.set_settings(seed_2086_settings())
    out.append(p.settings)
    p.cancel(out[3].id)
    return out


def queries(p):
    window = sala.Interval(utc(2021, 5, 1), utc(2021, 12, 1))
    return [p.pools(), p.rooms(), p.reservations(), p.queue(), p.calendar(window),
            [p.room_webinars(r.id) for r in p.rooms()], [p.status(r.request) for r in p.reservations()],
            p.peak_concurrency(window), p.now(), p.get_room(1), p.get_request(1), p.reservation_of(1),
            p.policy_name, p.settings]


def test_the_same_commands_give_the_same_answers_and_state_and_survive_a_restart(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    mem = sala.Platform(sala.Settings(), clock)
    dur = sala.DurablePlatform(sala.SqliteStore.open(path), clock, sala.Settings())
    events_mem, events_dur = [], []
    mem.subscribe(events_mem.append)
    dur.subscribe(events_dur.append)
    assert seed_commands(mem) == seed_commands(dur)
    assert events_mem == events_dur and events_mem
    assert mem.state() == dur.state()
    assert queries(mem) == queries(dur)
    del dur
    again = sala.DurablePlatform(sala.SqliteStore.open(path), clock)
    assert again.state() == mem.state()
    assert again.policy_name == "best_fit"


def rejected(call):
    with pytest.raises(sala.Error) as err:
        call()
    e = err.value
    return type(e), str(e), getattr(e, "field", None), getattr(e, "rule", None), getattr(e, "kind", None)


def test_rejections_are_the_same_errors_and_change_nothing(tmp_path):
    clock = sala.ManualClock(utc(2021, 5, 1))
    mem = sala.Platform(None, clock)
    dur = sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "sala.db")), clock)
    org = sala.Organizer("Soporte", "support@symposium.events")
    for p in (mem, dur):
        seed_commands(p)
    before = mem.state()
    assert dur.state() == before
    cases = [
        lambda p: p.submit(title="", start=madrid(2021, 6, 1, 9), duration=60, event_id="1", organizer=org),
        lambda p: p.submit(title="x", start=madrid(2021, 6, 1, 9), duration=0, event_id="1", organizer=org),
        lambda p: p.submit(title="x", start=dt.datetime(2021, 3, 28, 2, 30), zone="Europe/Madrid",
                           duration=60, event_id="1", organizer=org),
        lambda p: p.submit(title="x", start=madrid(2021, 6, 1, 9), duration=60, event_id="1",
                           organizer=org, expected_attendees=-1),
        lambda p: p.submit(title="x", start=madrid(2021, 6, 1, 9), duration=60, event_id="1",
                           organizer=org, panelists=["not an address"]),
        lambda p: p.submit(title=b"bytes", start=madrid(2021, 6, 1, 9), duration=60, event_id="1",
                           organizer=org),
        lambda p: p.submit("not a RequestInput"),
        lambda p: p.activate(99),
        lambda p: p.activate("room 1"),
        lambda p: p.set_mode(1, sala.RoomMode.MANUAL),  # R3: it holds a reservation
        lambda p: p.deactivate(1),  # R4
        lambda p: p.reassign(1, 1),  # R11: already there
        lambda p: p.get_request(999),
        lambda p: p.set_settings(sala.Settings(min_duration=0)),
        lambda p: p.link_account("symposium", sala.PoolKind.LENT, symposium_users()),
        lambda p: p.set_policy("first_fit"),
    ]
    for case in cases:
        assert rejected(lambda: case(mem)) == rejected(lambda: case(dur))
        assert mem.state() == before and dur.state() == before


def test_a_durable_platform_refuses_a_custom_policy_by_name(tmp_path):
    class Any(sala.AllocationPolicy):
        def name(self):
            return "any"

        def choose(self, query):
            return None

    dur = sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "sala.db")))
    with pytest.raises(sala.InvalidArgumentError) as err:
        dur.set_policy(Any())
    assert err.value.field == "policy" and "cannot be saved" in str(err.value)
    assert dur.policy_name == "first_fit"


def test_constructor_arguments_are_checked_by_name(tmp_path):
    with pytest.raises(sala.ArgumentTypeError) as err:
        sala.DurablePlatform("sala.db")
    assert err.value.field == "store" and "Store" in str(err.value)
    store = sala.SqliteStore.open(str(tmp_path / "sala.db"))
    with pytest.raises(sala.ArgumentTypeError) as err:
        sala.DurablePlatform(store, clock="now")
    assert err.value.field == "clock"
    with pytest.raises(sala.ArgumentTypeError) as err:
        sala.DurablePlatform(store, settings={"preparation": 3})
    assert err.value.field == "settings"
    with pytest.raises(sala.ArgumentTypeError) as err:
        sala.Platform(clock=42)
    assert err.value.field == "clock"


VIEWS = [
    lambda p: sala.render_month(p, 2021, 5, "Europe/Madrid"),
    lambda p: sala.render_week(p, dt.date(2021, 5, 12), "Europe/Madrid", heading="week"),
    lambda p: sala.render_day(p, dt.date(2021, 5, 12)),
    lambda p: sala.ical_platform(p),
    lambda p: sala.ical_room(p, 1),
    lambda p: sala.plan_licences(p, sala.Interval(utc(2021, 5, 1), utc(2021, 12, 1))).__repr__(),
]


def test_every_view_and_planner_takes_a_durable_platform(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    mem = sala.Platform(None, clock)
    dur = sala.DurablePlatform(sala.SqliteStore.open(path), clock)
    for p in (mem, dur):
        seed_commands(p)
    for view in VIEWS:
        out = view(dur)
        assert out == view(mem)
        assert "A" in out or "LicenceReport" in out
    queued = mem.queue()
    assert [q.id for q in queued] == [q.id for q in dur.queue()]
    for q in queued:
        assert repr(sala.find_make_room(mem, q.id)) == repr(sala.find_make_room(dur, q.id))


def test_apply_make_room_on_a_durable_platform_is_one_saved_transaction(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    dur = sala.DurablePlatform(sala.SqliteStore.open(path), clock)
    rep = dur.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    r09, r10 = rep.new_rooms[:2]
    for r in (r09, r10):
        dur.activate(r)
    dur.set_mode(r09, sala.RoomMode.AUTOMATIC)
    x = dur.submit(webinar("X", 2021, 6, 2, 10, 0, 60))  # r09, blocked 09:30-11:21
    y = dur.submit(webinar("Y", 2021, 6, 2, 12, 0, 60))
    dur.assign(y.id, r10)  # blocked 11:30-13:21 on r10
    dur.set_mode(r10, sala.RoomMode.AUTOMATIC)
    b = dur.submit(webinar("B", 2021, 6, 2, 10, 0, 180))  # 09:30-13:21: busy everywhere
    assert x.assignment.room == r09 and not b.assignment
    plan = sala.find_make_room(dur, b.id)
    mem = sala.Platform.restore(dur.state(), clock)
    assert repr(plan) == repr(sala.find_make_room(mem, b.id))
    assert len(plan.moves) == 1  # X to r10 or Y to r09 frees a room for B
    version = dur.version
    assert sala.apply_make_room(dur, plan)
    assert dur.version == version + 1  # one transaction
    assert sala.apply_make_room(mem, plan)
    assert dur.state() == mem.state()
    again = sala.DurablePlatform(sala.SqliteStore.open(path), clock)
    assert again.state() == dur.state()
    assert again.reservation_of(b.id).room == plan.room


def test_make_room_plans_on_what_another_connection_committed_and_applies_in_one_transaction(tmp_path):
    # R10/R11: the plan is made inside the transaction, so a commit by another
    # process between "plan" and "apply" cannot be missed.
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    dur = sala.DurablePlatform(sala.SqliteStore.open(path), clock)
    other = sala.DurablePlatform(sala.SqliteStore.open(path), clock)  # opened before any of it
    rep = dur.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    r09, r10 = rep.new_rooms[:2]
    for r in (r09, r10):
        dur.activate(r)
    dur.set_mode(r09, sala.RoomMode.AUTOMATIC)
    dur.submit(webinar("X", 2021, 6, 2, 10, 0, 60))
    y = dur.submit(webinar("Y", 2021, 6, 2, 12, 0, 60))
    dur.assign(y.id, r10)
    dur.set_mode(r10, sala.RoomMode.AUTOMATIC)
    b = dur.submit(webinar("B", 2021, 6, 2, 10, 0, 180))
    assert not b.assignment
    with pytest.raises(sala.NotFoundError):  # its stale view has never heard of B
        sala.find_make_room(other, b.id)
    version = dur.version
    assert sala.make_room(other, b.id, max_moves=0) is None  # a plan needs a move: nothing written
    assert sala.SqliteStore.open(path).version() == version
    plan, result = sala.make_room(other, b.id)
    assert result and result.room == plan.room and len(plan.moves) == 1
    assert other.version == version + 1  # the moves and the assignment: one commit
    dur.refresh()
    assert dur.state() == other.state() and dur.reservation_of(b.id).room == plan.room
    with pytest.raises(sala.RuleViolationError) as err:  # B is no longer queued
        sala.make_room(other, b.id)
    assert "R10" in str(err.value)
    assert other.version == version + 1


def test_views_name_the_platform_argument_when_given_something_else():
    for call in (lambda: sala.render_month("p", 2021, 5), lambda: sala.ical_platform(None),
                 lambda: sala.plan_licences(42, sala.Interval(utc(2021, 5, 1), utc(2021, 6, 1))),
                 lambda: sala.find_make_room([], 1)):
        with pytest.raises(sala.ArgumentTypeError) as err:
            call()
        assert err.value.field == "platform" and "DurablePlatform" in str(err.value)


def test_a_lifecycle_refuses_a_durable_platform_and_the_durable_one_a_platform(tmp_path):
    dur = sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "sala.db")))
    zoom, mail = sala.FakeConferencing(symposium_users()), sala.FakeMailer()
    with pytest.raises(sala.InvalidArgumentError) as err:
        sala.Lifecycle(dur, zoom, mail)
    assert err.value.field == "platform" and "DurableLifecycle" in str(err.value)
    with pytest.raises(sala.InvalidArgumentError) as err:
        sala.DurableLifecycle(sala.Platform(), zoom, mail)
    assert err.value.field == "platform"
    with pytest.raises(sala.ArgumentTypeError) as err:
        sala.DurableLifecycle(dur, "zoom", mail)
    assert err.value.field == "conferencing"


def test_make_room_keeps_a_webinar_whose_credentials_window_is_open(tmp_path):
    # R12: 20 minutes before X starts its credentials may be out (lead 30 minutes), so
    # the plan moves Y instead; asked not to lock, the cheaper-room plan moves X.
    clock = sala.ManualClock(utc(2021, 5, 1))
    dur = sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "sala.db")), clock)
    rep = dur.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    r09, r10 = rep.new_rooms[:2]
    for r in (r09, r10):
        dur.activate(r)
    dur.set_mode(r09, sala.RoomMode.AUTOMATIC)
    x = dur.submit(webinar("X", 2021, 6, 2, 10, 0, 60))  # 08:00 UTC on r09
    y = dur.submit(webinar("Y", 2021, 6, 2, 12, 0, 60))
    dur.assign(y.id, r10)
    dur.set_mode(r10, sala.RoomMode.AUTOMATIC)
    b = dur.submit(webinar("B", 2021, 6, 2, 10, 0, 180))
    assert not b.assignment
    clock.set(utc(2021, 6, 2, 7, 40))
    free = sala.find_make_room(dur, b.id, lock_credentials_window=False)
    assert [m.request for m in free.moves] == [x.id] and free.room == r09
    plan, result = sala.make_room(dur, b.id)
    assert [m.request for m in plan.moves] == [y.id] and plan.room == r10 and result
    assert dur.reservation_of(x.id).room == r09 and dur.reservation_of(y.id).room == r09
