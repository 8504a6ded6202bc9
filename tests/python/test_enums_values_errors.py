"""Enums are enum.Enum; value types have repr/eq/hash; errors mirror sala::error."""

import copy
import datetime as dt
import enum
import gc

import pytest

import sala
from conftest import Seed, utc, webinar

ENUMS = {
    sala.RoomMode: ["MANUAL", "AUTOMATIC"],
    sala.PoolKind: ["LENT", "OWN"],
    sala.Admission: ["AUTOMATIC", "MANUAL"],
    sala.WebinarStatus: ["UNASSIGNED", "FUTURE", "RUNNING", "FINISHED"],
    sala.PolicyKind: ["FIRST_FIT", "BEST_FIT", "SMALLEST_CAPACITY"],
    sala.AssignStatus: ["ASSIGNED", "NO_ROOM_FREE", "ROOM_NOT_FREE"],
    sala.Choose: ["EARLIEST", "LATEST"],
    sala.EventKind: ["LINKED", "ROOM_CHANGED", "SETTINGS_CHANGED", "SUBMITTED", "ASSIGNED", "QUEUED",
                     "REASSIGNED", "CANCELLED"],
}


@pytest.mark.parametrize("cls", list(ENUMS), ids=lambda c: c.__name__)
def test_enums_are_python_enums(cls):
    assert issubclass(cls, enum.Enum)
    assert [m.name for m in cls] == ENUMS[cls]
    for m in cls:
        assert cls(m.value) is m and cls[m.name] is m
        assert m.value == m.name.lower()
        assert hash(m) == hash(cls[m.name])
    assert len({m: 1 for m in cls}) == len(ENUMS[cls])
    assert cls.__module__ == "sala" and cls.__doc__


def test_enums_round_trip_through_cpp_and_reject_other_types(seed2086):
    f = seed2086
    assert f.p.get_room(f.r09).mode is sala.RoomMode.AUTOMATIC
    with pytest.raises(TypeError):
        f.p.set_mode(f.r11, "automatic")  # strings are not enum members
    with pytest.raises(TypeError):
        f.p.set_mode(f.r11, sala.PoolKind.OWN)  # nor members of another enum
    f.p.set_mode(f.r11, sala.RoomMode("automatic"))
    assert f.p.get_room(f.r11).mode == sala.RoomMode.AUTOMATIC
    assert sala.RoomMode.AUTOMATIC != sala.Admission.AUTOMATIC


def test_value_types_repr_eq_hash(seed2086):
    f = seed2086
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    room = f.p.get_room(f.r09)
    assert repr(room).startswith("Room(id=RoomId(1), pool=PoolId(1), user_id='u09'")
    assert room == f.p.rooms()[0] and room != f.p.rooms()[1]
    assert len({room, f.p.get_room(1), f.p.get_room(2)}) == 2
    rq = f.p.get_request(s.id)
    assert rq == f.p.get_request(s.id) and hash(rq) == hash(f.p.get_request(s.id))
    res = f.p.reservation_of(s.id)
    assert {res: "x"}[f.p.reservations()[0]] == "x"
    assert repr(sala.RoomId(3)) == "RoomId(3)" and str(sala.RoomId(3)) == "room 3" and int(sala.RoomId(3)) == 3
    assert sala.RoomId(3) != sala.RequestId(3)  # strong ids
    assert sorted([sala.RoomId(2), sala.RoomId(1)]) == [sala.RoomId(1), sala.RoomId(2)]
    i = sala.Interval(utc(2021, 5, 12), utc(2021, 5, 13))
    assert hash(i) == hash(sala.Interval(utc(2021, 5, 12), utc(2021, 5, 13)))
    assert "Interval(begin=datetime.datetime(2021, 5, 12, 0, 0, tzinfo=datetime.timezone.utc)" in repr(i)
    # Mutable values compare but do not hash.
    a, b = sala.Settings(), sala.Settings()
    assert a == b
    b.courtesy = 20
    assert a != b
    with pytest.raises(TypeError):
        hash(a)
    with pytest.raises(TypeError):
        hash(sala.Organizer("A", "a@x.org"))
    assert copy.copy(b) == b and copy.copy(b) is not b
    with pytest.raises(AttributeError):
        room.capacity = 5  # snapshots are read-only


def test_queries_return_copies_that_outlive_the_platform():
    f = Seed(sala.Settings(preparation=3, courtesy=0, post_processing=6, credentials_lead=3)).activate_all()
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    f.p.submit(webinar("B", 2021, 5, 12, 15, 5, 50))
    f.p.submit(webinar("C", 2021, 5, 12, 15, 5, 50))
    f.p.set_mode(f.r11, sala.RoomMode.AUTOMATIC)
    rooms, reservations, queue, cal = f.p.rooms(), f.p.reservations(), f.p.queue(), f.p.room_webinars(f.r09)
    state, settings, rq = f.p.state(), f.p.settings, f.p.get_request(s.id)
    assert isinstance(rooms, list) and isinstance(queue, list)
    # Changing the platform does not change what we hold ...
    f.p.cancel(s.id)
    assert [r.request for r in reservations][0] == s.id and len(cal) == 1
    # ... and changing what we hold does not change the platform.
    settings.courtesy = 99
    assert f.p.settings.courtesy == dt.timedelta(0)
    del f.p, f
    gc.collect()
    junk = [sala.Platform() for _ in range(50)]  # reuse freed memory
    del junk
    assert [r.email for r in rooms][0] == "symposiumwebinar09@symposium.events"
    assert rooms[1].mode is sala.RoomMode.AUTOMATIC
    assert reservations[0].blocked.length == dt.timedelta(minutes=59)
    assert [q.title for q in queue] == ["C"]
    assert cal[0].request.title == "A" and cal[0].status is sala.WebinarStatus.FUTURE
    assert rq.organizer.email == "support@symposium.events" and rq.window.start == utc(2021, 5, 12, 13, 5)
    assert len(state.rooms) == 4 and state.queue == [queue[0].id] and len(state.requests) == 3
    assert state.requests[rq.id] == rq


# ---- exceptions ----------------------------------------------------------------------

def test_exception_hierarchy_mirrors_cpp():
    assert issubclass(sala.InvalidArgumentError, sala.Error) and issubclass(sala.InvalidArgumentError, ValueError)
    for cls in (sala.InvalidSettingsError, sala.NonexistentLocalTimeError, sala.AmbiguousLocalTimeError):
        assert issubclass(cls, sala.InvalidArgumentError)
    assert issubclass(sala.NotFoundError, LookupError)
    for cls in (sala.RuleViolationError, sala.RoomNotFreeError, sala.BackendError, sala.NotFoundError):
        assert issubclass(cls, sala.Error) and not issubclass(cls, ValueError)
    assert issubclass(sala.Error, Exception)
    e = sala.BackendError("down", retryable=False, retry_after_seconds=30)
    assert (e.retryable, e.retry_after_seconds, str(e)) == (False, 30, "down")
    assert sala.RuleViolationError("x", rule="R3").rule == "R3"


def test_cpp_errors_arrive_with_their_field_or_rule(seed2086):
    f = seed2086
    with pytest.raises(sala.InvalidSettingsError) as e:
        sala.Platform(sala.Settings(min_duration=0))
    assert e.value.field == "min_duration" and "min_duration" in str(e.value)
    with pytest.raises(sala.InvalidSettingsError) as e:
        sala.Settings(end_warning_lead=20, min_duration=15).validate()
    assert e.value.field == "end_warning_lead"
    bad = webinar("A", 2021, 5, 12, 15, 5, 50)
    bad.title = "two\nlines"
    with pytest.raises(sala.InvalidArgumentError) as e:
        f.p.submit(bad)
    assert e.value.field == "title"
    bad = webinar("A", 2021, 5, 12, 15, 5, 50)
    bad.panelists = ["ok@x.org", "not an address"]
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.validate_fields(bad)
    assert e.value.field == "panelists[1]"
    f.p.submit(webinar("B", 2021, 5, 12, 15, 5, 50))  # room 09 now holds a reservation
    with pytest.raises(sala.RuleViolationError) as e:
        f.p.set_mode(f.r09, sala.RoomMode.MANUAL)
    assert e.value.rule == "R3" and str(e.value).startswith("R3: ")
    with pytest.raises(sala.NotFoundError) as e:
        f.p.get_room(77)
    assert e.value.kind == "room"
