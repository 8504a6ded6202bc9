"""Datetimes: aware in, aware out; naive rejected with ValueError; zones as names or ZoneInfo (R8)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import sala
from conftest import MADRID, UTC, Seed, madrid, utc, webinar

NY = ZoneInfo("America/New_York")
ORG = sala.Organizer("Ana", "ana@uni.example")


def test_outputs_are_aware_utc_or_in_the_event_zone(seed2086):
    rq = seed2086.p.get_request(seed2086.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50)).id)
    for t in (rq.window.start, rq.window.end, rq.window.grace_end, rq.blocked.begin, rq.blocked.end):
        assert t.tzinfo is UTC
    assert rq.start.tzinfo == MADRID and rq.start.utcoffset() == dt.timedelta(hours=2)
    assert seed2086.p.now() == utc(2021, 5, 1) and seed2086.p.now().tzinfo is UTC


def test_naive_datetimes_are_rejected_never_read_as_local_time(seed2086):
    naive = dt.datetime(2021, 5, 12, 15, 5)
    with pytest.raises(ValueError) as e:
        sala.Interval(naive, utc(2021, 5, 13))
    assert isinstance(e.value, sala.InvalidArgumentError) and e.value.field == "begin"
    assert "naive" in str(e.value)
    with pytest.raises(sala.InvalidArgumentError) as e:
        seed2086.clock.set(naive)
    assert e.value.field == "t"
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.RequestInput("A", naive, 50, "2086", ORG)  # no zone: which wall clock?
    assert e.value.field == "start" and "zone" in str(e.value)
    with pytest.raises(ValueError):
        sala.to_local(naive, "Europe/Madrid")
    with pytest.raises(ValueError):
        sala.ManualClock(naive)
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.Interval("2021-05-12", utc(2021, 5, 13))
    assert "datetime" in str(e.value)


def test_naive_start_is_wall_clock_only_with_a_named_zone(seed2086):
    for zone in ("Europe/Madrid", MADRID):
        inp = sala.RequestInput("A", dt.datetime(2021, 5, 12, 15, 5), 50, "2086", ORG, zone=zone)
        assert inp.zone == "Europe/Madrid"
        assert inp.start == madrid(2021, 5, 12, 15, 5)
        assert seed2086.p.get_request(seed2086.p.submit(inp).id).window.start == utc(2021, 5, 12, 13, 5)


def test_exact_instants_are_read_in_the_event_zone():
    # 13:05 UTC is 15:05 in Madrid; a fixed offset needs the event's IANA zone.
    inp = sala.RequestInput("A", utc(2021, 5, 12, 13, 5), 50, "2086", ORG, zone="Europe/Madrid")
    assert inp.start == madrid(2021, 5, 12, 15, 5) and inp.start.hour == 15
    plus2 = dt.timezone(dt.timedelta(hours=2))
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.RequestInput("A", dt.datetime(2021, 5, 12, 15, 5, tzinfo=plus2), 50, "2086", ORG)
    assert e.value.field == "zone"
    # UTC alone means an event in UTC.
    assert sala.RequestInput("A", utc(2021, 5, 12, 13, 5), 50, "2086", ORG).zone == "UTC"
    # An exact instant in a DST overlap is not ambiguous: its fold decides.
    second = sala.RequestInput("B", utc(2021, 10, 31, 1, 30), 60, "2086", ORG, zone="Europe/Madrid")
    assert second.choose is sala.Choose.LATEST
    assert sala.to_instant(dt.datetime(2021, 10, 31, 2, 30), "Europe/Madrid", second.choose) == utc(2021, 10, 31, 1, 30)


def test_zone_disagreement_and_unknown_zones_name_the_field():
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.RequestInput("A", madrid(2021, 5, 12, 15, 5), 50, "2086", ORG, zone="America/New_York")
    assert e.value.field == "zone"
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.RequestInput("A", dt.datetime(2021, 5, 12, 15, 5), 50, "2086", ORG, zone="Europe/Atlantis")
    assert e.value.field == "zone" and "Europe/Atlantis" in str(e.value)
    with pytest.raises(sala.InvalidArgumentError):
        sala.check_zone(42)
    assert sala.check_zone(NY) == "America/New_York"
    assert sala.check_zone(UTC) == "UTC"


def test_dst_gap_and_overlap_through_to_instant():
    gap = dt.datetime(2021, 3, 28, 2, 30)
    with pytest.raises(sala.NonexistentLocalTimeError) as e:
        sala.to_instant(gap, "Europe/Madrid")
    assert e.value.field == "start" and "does not exist" in str(e.value)
    assert sala.to_instant(gap, "Europe/Madrid", sala.Choose.EARLIEST) == utc(2021, 3, 28, 1, 0)
    assert sala.to_instant(gap, "Europe/Madrid", sala.Choose.LATEST) == utc(2021, 3, 28, 1, 0)
    twice = dt.datetime(2021, 10, 31, 2, 30)
    with pytest.raises(sala.AmbiguousLocalTimeError):
        sala.to_instant(twice, MADRID)
    assert sala.to_instant(twice, MADRID, sala.Choose.EARLIEST) == utc(2021, 10, 31, 0, 30)
    assert sala.to_instant(twice, MADRID, choose=sala.Choose.LATEST) == utc(2021, 10, 31, 1, 30)
    with pytest.raises(sala.AmbiguousLocalTimeError):
        sala.to_instant(dt.datetime(2021, 11, 7, 1, 15), "America/New_York")
    assert sala.to_instant(dt.datetime(2021, 6, 1, 9, 0), "Europe/Madrid") == utc(2021, 6, 1, 7, 0)


def test_fold_is_ignored_for_wall_clock_starts_choose_decides():
    """A zoneinfo start is wall-clock time: fold=0 is Python's silent default, so
    it cannot mean 'earliest on purpose'; an overlap still needs choose= (R8)."""
    for fold in (0, 1):
        t = dt.datetime(2021, 10, 31, 2, 30, tzinfo=MADRID, fold=fold)
        with pytest.raises(sala.AmbiguousLocalTimeError):
            sala.to_instant(t)
    f = Seed().activate_all()
    f.clock.set(utc(2021, 10, 1))
    with pytest.raises(sala.AmbiguousLocalTimeError):
        f.p.submit(title="x", start=dt.datetime(2021, 10, 31, 2, 30, tzinfo=MADRID, fold=1), duration=60,
                   event_id="1", organizer=ORG)
    s = f.p.submit(title="x", start=dt.datetime(2021, 10, 31, 2, 30, tzinfo=MADRID), duration=60,
                   event_id="1", organizer=ORG, choose=sala.Choose.EARLIEST)
    assert f.p.get_request(s.id).window.start == utc(2021, 10, 31, 0, 30)


def test_to_local_format_and_abbreviation():
    t = utc(2021, 5, 12, 13, 5)
    loc = sala.to_local(t, "Asia/Kolkata")
    assert loc.tzinfo == ZoneInfo("Asia/Kolkata") and (loc.hour, loc.minute) == (18, 35)
    assert loc == t
    assert sala.format(t, MADRID) == "2021-05-12 15:05"
    assert sala.format_utc(madrid(2021, 5, 12, 15, 5)) == "2021-05-12 13:05"
    assert sala.format_iso_utc(t) == "2021-05-12T13:05:00Z"
    assert sala.zone_abbreviation(t, "Europe/Madrid") == "CEST"
    # Overlap instants come back with the right fold.
    assert sala.to_local(utc(2021, 10, 31, 1, 30), MADRID).fold == 1


def test_minutes_accept_int_or_timedelta_and_read_back_as_timedelta():
    s = sala.Settings(preparation=dt.timedelta(minutes=45), courtesy=10)
    assert s.preparation == dt.timedelta(minutes=45) and s.courtesy == dt.timedelta(minutes=10)
    s.post_processing = dt.timedelta(hours=1)
    assert s.post_processing == dt.timedelta(minutes=60)
    with pytest.raises(sala.InvalidArgumentError) as e:
        s.courtesy = dt.timedelta(seconds=90)
    assert e.value.field == "courtesy"
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.RequestInput("A", madrid(2021, 5, 12, 15, 5), 50.5, "2086", ORG)
    assert e.value.field == "duration"
    with pytest.raises(sala.InvalidArgumentError):
        sala.Settings(courtesy=True)
    w = sala.make_blocked_window(sala.Settings(), madrid(2021, 6, 1, 9), dt.timedelta(hours=4))
    assert w.blocked.length == dt.timedelta(minutes=30 + 240 + 15 + 6)


def test_seconds_are_rejected_for_inputs_and_floored_for_clocks():
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.Interval(dt.datetime(2021, 5, 12, 13, 5, 30, tzinfo=UTC), utc(2021, 5, 13))
    assert "whole minutes" in str(e.value)
    with pytest.raises(sala.InvalidArgumentError):
        sala.RequestInput("A", dt.datetime(2021, 5, 12, 15, 5, 1, tzinfo=MADRID), 50, "2086", ORG)

    class Wall(sala.Clock):
        def now(self):
            return dt.datetime(2021, 5, 1, 10, 0, 59, 999, tzinfo=UTC)

    p = sala.Platform(clock=Wall())
    assert p.now() == utc(2021, 5, 1, 10, 0)


def test_interval_relations():
    a = sala.Interval(utc(2021, 5, 12, 9), utc(2021, 5, 12, 10))
    b = sala.Interval(utc(2021, 5, 12, 10), utc(2021, 5, 12, 11))
    assert not a.overlaps(b) and a.meets(b) and a.before(b) and b.after(a)  # R7: half-open
    assert a.relation(b) is sala.Allen.MEETS and b.relation(a) is sala.Allen.MET_BY
    assert utc(2021, 5, 12, 9, 30) in a and utc(2021, 5, 12, 10) not in a
    assert a.contains(sala.Interval(utc(2021, 5, 12, 9, 15), utc(2021, 5, 12, 9, 45)))
    assert a.intersection(b).empty
    assert a.length == dt.timedelta(hours=1)
    with pytest.raises(sala.InvalidArgumentError):
        sala.Interval(utc(2021, 5, 12, 10), utc(2021, 5, 12, 9))
