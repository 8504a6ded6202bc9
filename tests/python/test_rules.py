"""Every rule the C++ tests cover (R1-R11, R17), through the Python API, with the seed's examples."""

import pytest

import sala
from conftest import Seed, local, madrid, seed_2086_settings, symposium_users, utc, webinar


def violated_rule(f):
    try:
        f()
    except sala.RuleViolationError as e:
        return e.rule
    return "<allowed>"


def rejected_field(f):
    try:
        f()
    except sala.InvalidArgumentError as e:
        return e.field
    return "<accepted>"


# ---- R1 ------------------------------------------------------------------------

def test_R1_owner_is_never_a_room_and_its_licence_is_reported_wasted():
    p = sala.Platform(clock=sala.ManualClock(utc(2021, 5, 1)))
    users = symposium_users() + [
        sala.AccountUser("u13", "nolicence@symposium.events", "Sin licencia", licensed=False)]
    rep = p.link_account("symposium", sala.PoolKind.OWN, users)
    assert len(rep.new_rooms) == 4
    assert [u.email for u in rep.wasted_licences] == ["admin@symposium.events"]
    assert [u.email for u in rep.unlicensed] == ["nolicence@symposium.events"]
    assert all(r.email != "admin@symposium.events" for r in p.rooms())
    assert p.get_room(1).email == "symposiumwebinar09@symposium.events"
    assert p.get_room(sala.RoomId(4)).capacity == 500


def test_R1_unlicensed_owner_is_not_a_waste():
    p = sala.Platform(clock=sala.ManualClock())
    rep = p.link_account("x", sala.PoolKind.OWN, [
        sala.AccountUser("o", "owner@x.org", "Owner", owner=True, licensed=False),
        sala.AccountUser("a", "a@x.org", "A")])
    assert rep.wasted_licences == []
    assert len(rep.new_rooms) == 1


def test_R1_a_room_holds_one_block_at_a_time(seed2086):
    f = seed2086
    a = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert a.assignment and a.assignment.room == f.r09
    b = f.p.submit(webinar("B", 2021, 5, 12, 15, 30, 50))
    assert b.assignment.room == f.r10  # 09 is busy, first-fit moves on
    before = f.p.state()
    res = f.p.assign(b.id, f.r09)
    assert res.status is sala.AssignStatus.ROOM_NOT_FREE
    assert not res
    assert "'A' blocks it" in res.reason
    assert f.p.state() == before
    with pytest.raises(sala.RoomNotFreeError):
        res.value()


def test_R1_link_rejects_bad_user_lists_whole():
    p = sala.Platform(clock=sala.ManualClock())
    before = p.state()
    assert rejected_field(lambda: p.link_account("x", sala.PoolKind.OWN, [
        sala.AccountUser("a", "a@x.org", "A"), sala.AccountUser("a", "b@x.org", "B")])) == "users[1].user_id"
    assert rejected_field(lambda: p.link_account("x", sala.PoolKind.OWN, [
        sala.AccountUser("a", "a\r\n@x.org", "A")])) == "users[0].email"
    assert p.state() == before


# ---- R2 ------------------------------------------------------------------------

def test_R2_linked_users_start_inactive_and_activation_makes_them_manual(seed):
    f = seed
    assert all(not r.active and r.mode is sala.RoomMode.MANUAL for r in f.p.rooms())
    s = f.p.submit(webinar("X", 2021, 5, 12, 15, 5, 50))
    assert s.assignment.status is sala.AssignStatus.NO_ROOM_FREE
    f.p.activate(f.r10)
    assert f.p.get_room(f.r10).active
    assert f.p.get_room(f.r10).mode is sala.RoomMode.MANUAL
    assert not f.p.retry(s.id)  # manual rooms are not given out automatically (R9)


def test_R2_relinking_adds_new_licences_and_keeps_rooms(seed):
    f = seed.activate_all()
    users = symposium_users() + [sala.AccountUser("u13", "symposiumwebinar13@symposium.events", "New")]
    rep = f.p.link_account("symposium", sala.PoolKind.OWN, users)
    assert rep.new_rooms == [sala.RoomId(5)]
    assert not f.p.get_room(5).active
    assert f.p.get_room(f.r09).active and f.p.get_room(f.r09).mode is sala.RoomMode.AUTOMATIC
    assert len(f.p.pools()) == 1


def test_R2_unknown_room_is_not_found(seed):
    for bad in (99, 0):
        with pytest.raises(sala.NotFoundError) as e:
            seed.p.activate(bad)
        assert e.value.kind == "room"
    with pytest.raises(sala.NotFoundError):
        seed.p.set_mode(5, sala.RoomMode.AUTOMATIC)


# ---- R3 ------------------------------------------------------------------------

def test_R3_manual_to_automatic_always_automatic_to_manual_only_without_reservations(seed2086):
    f = seed2086
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert s.assignment.room == f.r09
    before = f.p.state()
    assert violated_rule(lambda: f.p.set_mode(f.r09, sala.RoomMode.MANUAL)) == "R3"
    assert f.p.state() == before
    assert violated_rule(lambda: f.p.set_mode(f.r10, sala.RoomMode.MANUAL)) == "<allowed>"
    assert violated_rule(lambda: f.p.set_mode(f.r10, sala.RoomMode.AUTOMATIC)) == "<allowed>"
    f.clock.set(utc(2021, 5, 12, 14, 2))  # the webinar is over
    assert violated_rule(lambda: f.p.set_mode(f.r09, sala.RoomMode.MANUAL)) == "<allowed>"


def test_R3_inactive_room_has_no_mode(seed):
    assert violated_rule(lambda: seed.p.set_mode(seed.r09, sala.RoomMode.AUTOMATIC)) == "R2"


# ---- R4 ------------------------------------------------------------------------

def test_R4_room_with_scheduled_webinars_cannot_be_deactivated(seed2086):
    f = seed2086
    s = f.p.submit(webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50))
    assert s.assignment.room == f.r09
    before = f.p.state()
    assert violated_rule(lambda: f.p.deactivate(f.r09)) == "R4"
    assert f.p.state() == before
    f.clock.set(utc(2021, 5, 12, 14, 0))  # still in post-processing (until 16:01 Madrid)
    assert violated_rule(lambda: f.p.deactivate(f.r09)) == "R4"
    f.clock.set(utc(2021, 5, 12, 14, 1))
    assert violated_rule(lambda: f.p.deactivate(f.r09)) == "<allowed>"
    assert not f.p.get_room(f.r09).active
    assert len(f.p.rooms()) == 4
    f.p.activate(f.r09)
    assert f.p.get_room(f.r09).active and f.p.get_room(f.r09).mode is sala.RoomMode.MANUAL


def test_R4_deactivated_room_takes_no_requests(seed2086):
    f = seed2086
    f.p.deactivate(f.r09)
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert s.assignment.room == f.r10
    before = f.p.state()
    assert violated_rule(lambda: f.p.assign(s.id, f.r09)) == "R10"
    assert f.p.state() == before


# ---- R5 ------------------------------------------------------------------------

def test_R5_own_account_takes_new_requests_lent_bookings_stay():
    p = sala.Platform(seed_2086_settings(), sala.ManualClock(utc(2021, 5, 1)))
    lent = p.link_account("symposium-lent", sala.PoolKind.LENT,
                          [sala.AccountUser("l1", "lent1@symposium.org", "Lent 1")])
    p.activate(lent.new_rooms[0])
    p.set_mode(lent.new_rooms[0], sala.RoomMode.AUTOMATIC)
    early = p.submit(webinar("Before linking", 2021, 5, 12, 15, 5, 50))
    assert early.assignment.room == lent.new_rooms[0]
    assert p.takes_new_requests(lent.pool)
    own = p.link_account("institution", sala.PoolKind.OWN, symposium_users())
    assert not p.takes_new_requests(lent.pool)
    assert p.takes_new_requests(own.pool)
    assert p.reservation_of(early.id).room == lent.new_rooms[0]
    later = p.submit(webinar("After linking", 2021, 5, 13, 9, 0, 50))
    assert later.assignment.status is sala.AssignStatus.NO_ROOM_FREE
    assert violated_rule(lambda: p.assign(later.id, lent.new_rooms[0])) == "R5"
    p.activate(own.new_rooms[0])
    p.set_mode(own.new_rooms[0], sala.RoomMode.AUTOMATIC)
    assert p.retry(later.id).room == own.new_rooms[0]
    with pytest.raises(sala.InvalidArgumentError) as e:
        p.link_account("symposium-lent", sala.PoolKind.OWN, [])
    assert e.value.field == "kind"


# ---- R6 / R8 ---------------------------------------------------------------------

def test_R6_request_keeps_what_the_organizer_gave(seed2086):
    f = seed2086
    s = f.p.submit(title="webinar sesión turno de tarde", start=madrid(2021, 5, 12, 15, 5), duration=50,
                   event_id="2086", organizer=sala.Organizer("Soporte Técnico", "support@symposium.events"),
                   admission=sala.Admission.MANUAL, expected_attendees=80, panelists=["panel@example.org"])
    rq = f.p.get_request(s.id)
    assert rq.title == "webinar sesión turno de tarde"
    assert rq.start == madrid(2021, 5, 12, 15, 5)
    assert rq.start.tzinfo.key == "Europe/Madrid" and rq.start.hour == 15 and rq.start.minute == 5
    assert rq.local_start == rq.start
    assert rq.zone == "Europe/Madrid"
    assert rq.duration.total_seconds() == 50 * 60
    assert rq.admission is sala.Admission.MANUAL
    assert rq.event_id == "2086"
    assert rq.organizer == sala.Organizer("Soporte Técnico", "support@symposium.events")
    assert rq.expected_attendees == 80
    assert rq.panelists == ["panel@example.org"]
    assert rq.window.start == utc(2021, 5, 12, 13, 5)


def test_R8_days_in_advance_and_duration_limits():
    f = Seed(sala.Settings(min_days_in_advance=2, max_days_in_advance=30, min_duration=30,
                           max_duration=240)).activate_all()  # now: 2021-05-01 00:00 UTC
    before = f.p.state()
    for args, field in [((2021, 5, 2, 9, 0, 60), "start"), ((2021, 6, 5, 9, 0, 60), "start"),
                        ((2021, 5, 10, 9, 0, 29), "duration"), ((2021, 5, 10, 9, 0, 241), "duration"),
                        ((2021, 5, 10, 9, 0, 0), "duration"), ((2021, 5, 10, 9, 0, -60), "duration"),
                        ((2021, 4, 20, 9, 0, 60), "start")]:
        assert rejected_field(lambda: f.p.submit(webinar("x", *args))) == field, args
    assert f.p.state() == before  # rejected requests leave no trace, not even an id
    assert rejected_field(lambda: f.p.submit(webinar("ok", 2021, 5, 3, 9, 0, 30))) == "<accepted>"
    assert rejected_field(lambda: f.p.submit(webinar("ok", 2021, 5, 31, 9, 0, 240))) == "<accepted>"
    with pytest.raises(sala.InvalidSettingsError) as e:
        f.p.set_settings(sala.Settings(courtesy=-1))
    assert e.value.field == "courtesy"


def test_R8_dst_gap_and_overlap_need_a_choice(seed):
    f = seed.activate_all()
    f.clock.set(utc(2021, 3, 1))
    before = f.p.state()
    with pytest.raises(sala.NonexistentLocalTimeError) as e:
        f.p.submit(webinar("gap", 2021, 3, 28, 2, 30, 60))
    assert e.value.field == "start"
    with pytest.raises(sala.AmbiguousLocalTimeError):
        f.p.submit(webinar("twice", 2021, 10, 31, 2, 30, 60))
    assert f.p.state() == before
    twice = webinar("twice", 2021, 10, 31, 2, 30, 60)
    twice.choose = sala.Choose.LATEST
    assert f.p.get_request(f.p.submit(twice).id).window.start == utc(2021, 10, 31, 1, 30)
    gap = webinar("gap", 2021, 3, 28, 2, 30, 60)
    gap.choose = sala.Choose.EARLIEST
    rq = f.p.get_request(f.p.submit(gap).id)
    assert rq.window.start == utc(2021, 3, 28, 1, 0)
    assert (rq.local_start.hour, rq.local_start.minute) == (2, 30)  # as given
    assert (rq.start.hour, rq.start.minute) == (3, 0)                # the moment it begins


# ---- R7 / R9 ---------------------------------------------------------------------

def test_R7_seed_blocked_intervals_of_event_2086(seed2086):
    f = seed2086
    a = f.p.submit(webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50))
    b = f.p.submit(webinar("webinar sesión turno de mañana", 2021, 5, 13, 9, 0, 50))
    wa, wb = f.p.get_request(a.id).window, f.p.get_request(b.id).window
    assert (local(wa.blocked.begin), local(wa.blocked.end)) == ("2021-05-12 15:02", "2021-05-12 16:01")
    assert (local(wb.blocked.begin), local(wb.blocked.end)) == ("2021-05-13 08:57", "2021-05-13 09:56")
    assert a.assignment.room == f.r09 and b.assignment.room == f.r09


def test_R7_seed_example_0900_madrid_240_minutes():
    """Seed: start 09:00, 240 min, prep 30, courtesy 15, post 6 -> blocked 08:30-13:21, grace 13:15."""
    w = sala.make_blocked_window(sala.Settings(), madrid(2021, 6, 1, 9, 0), 240)
    assert (local(w.blocked.begin), local(w.blocked.end)) == ("2021-06-01 08:30", "2021-06-01 13:21")
    assert local(w.grace_end) == "2021-06-01 13:15"
    assert local(w.end) == "2021-06-01 13:00"


def test_R7_back_to_back_blocks_share_a_room():
    f = Seed(sala.Settings(preparation=0, courtesy=0, post_processing=0, credentials_lead=0)).activate_all()
    a = f.p.submit(webinar("A", 2021, 5, 12, 9, 0, 60))
    b = f.p.submit(webinar("B", 2021, 5, 12, 10, 0, 60))
    assert a.assignment.room == f.r09 and b.assignment.room == f.r09  # 10:00 meets 10:00
    c = f.p.submit(webinar("C", 2021, 5, 12, 10, 59, 60))
    assert c.assignment.room == f.r10  # one minute of overlap is a conflict


def test_R9_first_fit_walks_active_automatic_rooms_in_order(seed2086):
    f = seed2086
    f.p.set_mode(f.r12, sala.RoomMode.AUTOMATIC)  # 09, 10, 12 automatic
    got = [f.p.submit(webinar("same slot", 2021, 5, 12, 15, 5, 50)).assignment.room for _ in range(4)]
    assert got == [f.r09, f.r10, f.r12, None]
    assert len(f.p.queue()) == 1


def test_R9_policies_are_options_not_the_default(seed2086):
    f = seed2086
    assert f.p.policy_name == "first_fit"
    f.p.set_mode(f.r12, sala.RoomMode.AUTOMATIC)
    f.p.set_policy(sala.PolicyKind.SMALLEST_CAPACITY)
    big = webinar("big", 2021, 5, 12, 15, 5, 50)
    big.expected_attendees = 120
    assert f.p.submit(big).assignment.room == f.r12
    big.expected_attendees = 600
    assert f.p.submit(big).assignment.status is sala.AssignStatus.NO_ROOM_FREE
    f.p.set_policy(sala.PolicyKind.FIRST_FIT)
    a = f.p.submit(webinar("a", 2021, 5, 14, 9, 0, 50))  # 09: 08:57-09:56
    f.p.set_policy(sala.PolicyKind.BEST_FIT)
    b = f.p.submit(webinar("b", 2021, 5, 14, 10, 0, 50))  # tightest run: 09 again
    assert a.assignment.room == f.r09 and b.assignment.room == f.r09
    assert f.p.state().policy is sala.PolicyKind.BEST_FIT
    assert f.p.policy_name == "best_fit"


def test_R9_a_python_policy_chooses_among_free_eligible_rooms(seed2086):
    f = seed2086
    f.p.set_mode(f.r12, sala.RoomMode.AUTOMATIC)

    class LastFit(sala.AllocationPolicy):
        def __init__(self):
            super().__init__()
            self.seen = []

        def name(self):
            return "last_fit"

        def choose(self, query):
            self.seen.append(query)
            return query.free_rooms[-1] if query.free_rooms else None

    pol = LastFit()
    f.p.set_policy(pol)
    del pol  # the platform keeps it alive
    assert f.p.policy_name == "last_fit"
    got = [f.p.submit(webinar("slot", 2021, 5, 12, 15, 5, 50)).assignment.room for _ in range(3)]
    assert got == [f.r12, f.r10, f.r09]


# ---- R10 ---------------------------------------------------------------------------

def test_R10_event_2090_waits_in_the_queue_and_an_admin_assigns_room_12(seed):
    f = seed.activate_all()  # prep 30, courtesy 15, post 6
    f.p.set_mode(f.r09, sala.RoomMode.MANUAL)
    f.p.set_mode(f.r10, sala.RoomMode.MANUAL)  # no automatic rooms at all
    events = []
    f.p.subscribe(events.append)
    s = f.p.submit(webinar("Webinar turno mañanas", 2021, 6, 1, 9, 0, 240, "2090"))
    assert s.assignment.status is sala.AssignStatus.NO_ROOM_FREE
    assert "unassigned queue" in s.assignment.reason
    [q] = f.p.queue()
    assert (local(q.window.blocked.begin), local(q.window.blocked.end)) == ("2021-06-01 08:30", "2021-06-01 13:21")
    assert local(q.window.grace_end) == "2021-06-01 13:15"
    assert f.p.status(s.id) is sala.WebinarStatus.UNASSIGNED
    assert not f.p.retry(s.id)
    a = f.p.assign(s.id, f.r12)
    assert a and a.value() == f.r12
    assert f.p.queue() == []
    assert f.p.reservation_of(s.id).room == f.r12
    assert [e.kind for e in events] == [sala.EventKind.SUBMITTED, sala.EventKind.QUEUED, sala.EventKind.ASSIGNED]
    assert events[-1].room == f.r12 and events[-1].request == s.id


def test_R10_retry_queue_assigns_in_arrival_order():
    f = Seed(seed_2086_settings())
    f.p.activate(f.r09)
    a = f.p.submit(webinar("first", 2021, 5, 12, 15, 5, 50))
    b = f.p.submit(webinar("second", 2021, 5, 12, 15, 5, 50))
    assert len(f.p.queue()) == 2
    f.p.set_mode(f.r09, sala.RoomMode.AUTOMATIC)
    assert f.p.retry_queue() == 1
    assert f.p.reservation_of(a.id).room == f.r09
    assert f.p.reservation_of(b.id) is None
    assert f.p.queue()[0].id == b.id
    assert violated_rule(lambda: f.p.retry(a.id)) == "R10"


def test_R10_stale_ids_are_not_found(seed2086):
    f = seed2086
    with pytest.raises(sala.NotFoundError):
        f.p.retry(sala.RequestId(42))
    with pytest.raises(sala.NotFoundError):
        f.p.assign(42, f.r09)
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    f.p.cancel(s.id)
    with pytest.raises(sala.NotFoundError) as e:
        f.p.cancel(s.id)
    assert e.value.kind == "request"
    with pytest.raises(LookupError):  # NotFoundError is a LookupError
        f.p.get_request(s.id)


# ---- R11 ---------------------------------------------------------------------------

def test_R11_reassign_to_a_manual_room_and_back(seed):
    f = seed.activate_all()
    s = f.p.submit(webinar("Webinar turno mañanas", 2021, 6, 1, 9, 0, 240, "2090"))
    assert s.assignment.room == f.r09
    events = []
    f.p.subscribe(events.append)
    assert f.p.reassign(s.id, f.r12)
    assert f.p.reservation_of(s.id).room == f.r12
    assert len(events) == 1
    assert events[0].kind is sala.EventKind.REASSIGNED
    assert (events[0].room, events[0].previous_room) == (f.r12, f.r09)
    assert f.p.room_webinars(f.r09) == []
    assert f.p.assign(s.id, f.r11)  # assign() on an assigned request reassigns
    assert f.p.reservation_of(s.id).room == f.r11
    assert violated_rule(lambda: f.p.reassign(s.id, f.r11)) == "R11"


def test_R11_reassign_to_a_busy_room_changes_nothing(seed):
    f = seed.activate_all()
    a = f.p.submit(webinar("A", 2021, 6, 1, 9, 0, 60))
    b = f.p.submit(webinar("B", 2021, 6, 1, 9, 30, 60))
    assert b.assignment.room == f.r10
    before = f.p.state()
    r = f.p.reassign(b.id, f.r09)
    assert r.status is sala.AssignStatus.ROOM_NOT_FREE and r.room is None
    assert f.p.state() == before
    assert violated_rule(lambda: f.p.reassign(a.id, 3)) == "<allowed>"


def test_R11_queued_request_cannot_be_reassigned_and_running_ones_cannot_move(seed):
    f = seed
    f.p.activate(f.r09)
    q = f.p.submit(webinar("queued", 2021, 6, 1, 9, 0, 60))
    assert violated_rule(lambda: f.p.reassign(q.id, f.r09)) == "R11"
    f.p.set_mode(f.r09, sala.RoomMode.AUTOMATIC)
    assert f.p.retry(q.id)
    f.p.activate(f.r10)
    f.clock.set(madrid(2021, 6, 1, 9, 0))
    assert violated_rule(lambda: f.p.reassign(q.id, f.r10)) == "R11"
    assert violated_rule(lambda: f.p.cancel(q.id)) == "R15"


def test_R11_cancel_frees_the_room(seed2086):
    f = seed2086
    a = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    f.p.cancel(a.id)
    assert f.p.reservations() == []
    assert f.p.submit(webinar("B", 2021, 5, 12, 15, 5, 50)).assignment.room == f.r09
    assert f.p.submit(webinar("C", 2021, 5, 12, 15, 5, 50)).assignment.room == f.r10
    d = f.p.submit(webinar("D", 2021, 5, 12, 15, 5, 50))
    assert len(f.p.queue()) == 1
    f.p.cancel(d.id)
    assert f.p.queue() == []


# ---- R17 ---------------------------------------------------------------------------

def test_R17_room_list_in_start_order_with_local_times(seed2086):
    f = seed2086
    f.p.submit(webinar("webinar sesión turno de mañana", 2021, 5, 13, 9, 0, 50))
    f.p.submit(webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50))
    lst = f.p.room_webinars(f.r09)
    assert [e.request.title for e in lst] == ["webinar sesión turno de tarde", "webinar sesión turno de mañana"]
    assert lst[0].request.start.strftime("%Y-%m-%d %H:%M") + " " + lst[0].request.zone == \
        "2021-05-12 15:05 Europe/Madrid"
    assert lst[0].request.event_id == "2086"
    assert (local(lst[0].blocked.begin), local(lst[0].blocked.end)) == ("2021-05-12 15:02", "2021-05-12 16:01")
    assert (local(lst[1].blocked.begin), local(lst[1].blocked.end)) == ("2021-05-13 08:57", "2021-05-13 09:56")
    assert f.p.room_webinars(f.r12) == []


def test_R17_calendar_window_shows_pending_running_future(seed2086):
    f = seed2086
    ids = {t: f.p.submit(webinar(t, *when, 50)).id for t, when in [
        ("Herramientas en el entorno", (2021, 5, 13, 9, 0)), ("Foro de debate", (2021, 5, 13, 13, 10)),
        ("International conference", (2021, 5, 13, 13, 10)), ("titulo muy largo", (2021, 5, 13, 13, 10)),
        ("Taller 1 Workshop", (2021, 5, 13, 16, 0)), ("Mañana", (2021, 5, 14, 9, 0))]}
    f.clock.set(madrid(2021, 5, 13, 13, 30))
    day = sala.Interval(madrid(2021, 5, 13), madrid(2021, 5, 14))
    cal = f.p.calendar(day)
    S = sala.WebinarStatus
    assert [(e.request.title, e.status) for e in cal] == [
        ("Herramientas en el entorno", S.FINISHED), ("Foro de debate", S.RUNNING),
        ("International conference", S.RUNNING), ("titulo muy largo", S.UNASSIGNED),
        ("Taller 1 Workshop", S.FUTURE)]
    assert (cal[1].room, cal[2].room, cal[3].room) == (f.r09, f.r10, None)
    assert f.p.status(ids["Mañana"]) is S.FUTURE
    assert f.p.peak_concurrency(day) == 2  # R18


def test_restore_rebuilds_the_same_state(seed2086):
    f = seed2086
    f.p.set_policy(sala.PolicyKind.BEST_FIT)
    for _ in range(3):
        f.p.submit(webinar("slot", 2021, 5, 12, 15, 5, 50))
    copy = sala.Platform.restore(f.p.state(), f.clock)
    assert copy.state() == f.p.state()
    assert copy.policy_name == "best_fit"
    nxt = webinar("next", 2021, 5, 12, 17, 0, 50)
    assert copy.submit(nxt).assignment == f.p.submit(nxt).assignment
