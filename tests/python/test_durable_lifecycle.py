"""DurableLifecycle has what a host needs from Lifecycle (issue 13): about_to_start, on_step,
on_effect, problems, credentials_of, report_of, next_due, ... with the same signatures, on a real
SQLite file; and next_due() is None when idle, an aware UTC datetime otherwise, never 1970 (issue
17, docs/python.md "As soon as possible")."""

import datetime as dt
import re

import pytest

import sala
from conftest import Seed, madrid, seed_2086_settings, symposium_users, utc, webinar

pytestmark = pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")

UTC = dt.timezone.utc


def doc_of(cls, name):
    return re.sub(r"sala\._sala\.(Durable)?Lifecycle", "L", vars(cls)[name].__doc__ or "")


def public(cls):
    return {n for n in vars(cls) if not n.startswith("_")}


def test_durable_lifecycle_has_every_lifecycle_member_with_the_same_signature_and_doc():
    life, durable = public(sala.Lifecycle), public(sala.DurableLifecycle)
    assert life - durable == set()
    # Saving, taking in others' rows, the ticker lease, archiving, webhooks out: the store's
    # part; Zoom's webhooks in, each committed so another process sees it.
    assert durable - life == {"save", "take_in", "archive", "is_ticker", "holder", "enable_webhooks",
                              "note_webinar_started", "note_webinar_ended", "note_recording_completed",
                              "account_deauthorized"}
    for name in sorted(life):
        assert doc_of(sala.Lifecycle, name) == doc_of(sala.DurableLifecycle, name), name
    assert isinstance(vars(sala.DurableLifecycle)["dirty"], property)


class Host:
    """One process: a DurablePlatform and its DurableLifecycle on the SQLite file at `path`."""

    def __init__(self, path, clock, zoom, mail):
        self.p = sala.DurablePlatform(sala.SqliteStore.open(path), clock, seed_2086_settings())
        opts = sala.LifecycleOptions()
        opts.language = sala.Language.EN
        opts.admin = sala.MailAddress("admin@symposium.events", "Admin")
        self.life = sala.DurableLifecycle(self.p, zoom, mail, opts)


@pytest.fixture
def world(tmp_path):
    clock = sala.ManualClock(utc(2021, 5, 1))
    zoom, mail = sala.FakeConferencing(symposium_users(), clock), sala.FakeMailer()
    path = str(tmp_path / "sala.db")
    return path, clock, zoom, mail, Host(path, clock, zoom, mail)


def test_next_due_is_none_when_idle_now_when_something_may_run_and_then_the_next_moment(world):
    path, clock, zoom, mail, h = world
    assert h.life.next_due() is None  # no rooms, no requests
    rep = h.life.link_account("symposium", sala.PoolKind.OWN)
    # The owner holds a licence (R1): a notice for the admin, due as soon as possible.
    due = h.life.next_due()
    assert due == clock.now() == utc(2021, 5, 1) and due.tzinfo is UTC
    h.life.tick(clock.now())
    assert h.life.next_due() is None
    for r in rep.new_rooms:
        h.p.activate(r)
    h.p.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    s = h.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert h.life.dirty
    assert h.life.next_due() == utc(2021, 5, 1)  # create the webinar: as soon as possible
    clock.set(utc(2021, 5, 2, 8, 30))
    assert h.life.next_due() == utc(2021, 5, 2, 8, 30)  # still due: now, never 1970 or the past
    h.life.tick(clock.now())
    assert not h.life.dirty
    assert h.life.next_due() == madrid(2021, 5, 12, 15, 2)  # the credentials (R12, lead 3 min)
    assert h.life.next_due().tzinfo is UTC
    assert s.assignment


def test_step_events_say_none_for_as_soon_as_possible_and_a_time_for_a_moment(world):
    path, clock, zoom, mail, h = world
    rep = h.p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    h.p.activate(rep.new_rooms[0])
    h.p.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    h.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    steps, effects = [], []
    h.life.on_step(steps.append)
    h.life.on_effect(effects.append)
    h.life.tick(clock.now())
    clock.set(madrid(2021, 5, 12, 15, 2))
    h.life.tick(clock.now())
    by_step = {e.step: e for e in steps}
    assert by_step[sala.StepKind.CREATE_WEBINAR].due is None
    assert by_step[sala.StepKind.MAIL_CREDENTIALS].due == madrid(2021, 5, 12, 15, 2)
    assert all(e.at.tzinfo is UTC for e in steps)
    assert all(e.due is None or e.due.year == 2021 for e in steps)
    rec = h.life.state().webinars[sala.RequestId(1)]
    assert rec.steps[sala.StepKind.CREATE_WEBINAR].next_attempt is None  # never had to wait
    assert [e.idempotency_key for e in effects] == [e.idempotency_key for e in h.life.effects()]
    assert any(e.idempotency_key.startswith("credentials/") for e in effects)


def test_the_queries_and_callbacks_a_host_needs_on_a_real_sqlite_file(world):
    path, clock, zoom, mail, h = world
    h.life.link_account("symposium", sala.PoolKind.OWN)
    for r in (1, 2):
        h.p.activate(r)
    h.p.set_mode(1, sala.RoomMode.AUTOMATIC)
    s = h.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    steps, effects = [], []
    h.life.on_step(steps.append)
    h.life.on_effect(effects.append)
    zoom.fail_next(sala.FakeConferencing.Method.CREATE_WEBINAR, 3)
    for k in range(3):  # failures reach the admin after 3 (R16)
        clock.set(utc(2021, 5, 1) + dt.timedelta(hours=k))
        h.life.tick(clock.now())
    [prob] = [p for p in h.life.problems() if p.step is sala.StepKind.CREATE_WEBINAR]
    assert prob.request == s.id and prob.failures >= 3 and prob.next_attempt.tzinfo is UTC
    assert any(e.outcome is sala.StepOutcome.FAILED for e in steps)
    # R13: in the credentials window; by hand.
    [entry] = h.life.about_to_start(madrid(2021, 5, 12, 14, 0), lookahead=dt.timedelta(hours=2))
    assert entry.request == s.id and entry.credentials_due == madrid(2021, 5, 12, 15, 2)
    assert h.life.about_to_start(madrid(2021, 5, 12, 14, 0)) == []
    clock.set(madrid(2021, 5, 12, 14, 0))
    assert h.life.generate_credentials_now(s.id, clock.now())
    creds = h.life.credentials_of(s.id)
    assert creds.user_name == "symposiumwebinar09@symposium.events" and creds.password
    assert h.life.report_of(s.id) is None
    for minute in range(0, 120, 5):
        clock.set(madrid(2021, 5, 12, 15, 0) + dt.timedelta(minutes=minute))
        h.life.tick(clock.now())
    assert h.life.report_of(s.id).people() >= 1  # R15
    assert h.life.credentials_of(s.id) is None  # rotated at the grace end
    assert len(mail.with_key_prefix("credentials/")) == 1
    assert effects and [e.idempotency_key for e in effects] == [e.idempotency_key for e in h.life.effects()]
    assert h.life.options().admin.email == "admin@symposium.events"
    assert sala.DurableLifecycle.key(sala.StepKind.MAIL_CREDENTIALS, s.id, 1) == \
        sala.Lifecycle.key(sala.StepKind.MAIL_CREDENTIALS, s.id, 1)
    # Another process on the same file sees the saved steps, the rooms and the notice.
    state = h.life.state()
    again = Host(path, clock, zoom, mail)
    assert again.life.state() == state
    assert again.p.state() == h.p.state()
    assert state.admin_notices  # the owner's licence (R1) and the failures (R16), saved
    assert again.life.next_due() == h.life.next_due()


def test_link_account_through_the_durable_lifecycle_is_saved_and_tells_the_admin_once(world):
    path, clock, zoom, mail, h = world
    rep = h.life.link_account("symposium", sala.PoolKind.OWN)
    assert len(rep.new_rooms) == 4 and [u.user_id for u in rep.wasted_licences] == ["owner"]
    h.life.tick(clock.now())
    del h
    again = Host(path, clock, zoom, mail)
    assert [r.email for r in again.p.rooms()][0] == "symposiumwebinar09@symposium.events"
    again.life.tick(clock.now())
    admin = mail.to("admin@symposium.events")
    assert len(admin) == 1 and admin[0].idempotency_key.startswith("wasted-licence/")


def test_lifecycle_next_due_follows_the_same_rule():
    f = Seed(seed_2086_settings())
    life = sala.Lifecycle(f.p, sala.FakeConferencing(symposium_users(), f.clock), sala.FakeMailer())
    assert life.next_due() is None  # rooms inactive, nothing queued
    f.activate_all()
    assert life.next_due() == f.clock.now()  # room settings (R20): as soon as possible
    life.tick(f.clock.now())
    assert life.next_due() is None
    f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert life.next_due() == utc(2021, 5, 1)
    life.tick(f.clock.now())
    assert life.next_due() == madrid(2021, 5, 12, 15, 2)
    f.clock.set(madrid(2021, 5, 13))  # a day's outage: overdue steps are due now
    assert life.next_due() == madrid(2021, 5, 13)


def test_credentials_of_a_cancelled_request_never_say_valid_until_1970():
    f = Seed(seed_2086_settings()).activate_all()
    life = sala.Lifecycle(f.p, sala.FakeConferencing(symposium_users(), f.clock), sala.FakeMailer())
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    f.clock.set(madrid(2021, 5, 12, 14, 0))
    assert life.generate_credentials_now(s.id, f.clock.now())
    assert life.credentials_of(s.id).valid_until == madrid(2021, 5, 12, 15, 55)  # the grace end
    f.p.cancel(s.id)
    creds = life.credentials_of(s.id)
    assert creds is None or creds.valid_until is None
