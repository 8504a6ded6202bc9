"""Calendar pages and iCalendar feeds (R17), the licence planner (R18) and
make-room (R10/R11) from Python."""

import datetime as dt

import sala
from conftest import madrid, webinar


def booked(f):
    ids = [f.p.submit(webinar(t, 2021, 5, 12, 15, 5, 50)).id for t in ("Foro de debate", "Taller 1", "Conferencia")]
    return ids


def test_R17_pages_and_ical_feed_show_the_webinars(seed2086):
    f = seed2086
    booked(f)
    page = sala.render_month(f.p, 2021, 5, zone="Europe/Madrid", heading="Symposium")
    assert "Foro de debate" in page and "Symposium" in page and "15:05" in page
    assert "Taller 1" in sala.render_week(f.p, dt.date(2021, 5, 12), zone="Europe/Madrid")
    assert "Taller 1" in sala.render_day(f.p, dt.date(2021, 5, 12), zone="Europe/Madrid")
    cal = sala.ical_platform(f.p)
    assert cal.startswith("BEGIN:VCALENDAR") and cal.count("BEGIN:VEVENT") == 3  # queued ones too
    assert "SUMMARY:Foro de debate" in cal and "TZID=Europe/Madrid" in cal
    opts = sala.IcalOptions()
    opts.utc = True
    assert "DTSTART:20210512T130500Z" in sala.ical_room(f.p, f.r09, opts)


def test_R18_licences_needed_for_a_week(seed2086):
    f = seed2086
    booked(f)
    week = sala.Interval(madrid(2021, 5, 10), madrid(2021, 5, 17))
    rep = sala.plan_licences(f.p, week)
    assert rep.minimum_rooms == 3 and rep.requests == 3  # queued requests need a licence too
    assert rep.plan is sala.LicencePlan.PRO and rep.licences >= 3
    assert rep.peak_at == madrid(2021, 5, 12, 15, 2)


def test_R10_R11_make_room_frees_a_room_for_a_queued_request(seed2086):
    f = seed2086
    a, b, c = booked(f)
    assert f.p.status(c) is sala.WebinarStatus.UNASSIGNED
    plan = sala.find_make_room(f.p, c)
    assert plan is not None and plan.request == c and plan.explanation
    result = sala.apply_make_room(f.p, plan)
    assert result and f.p.reservation_of(c).room == plan.room
    rooms = [r.room for r in f.p.reservations()]
    assert len(rooms) == len(set(rooms)) == 3  # same slot, three different rooms (R1)
