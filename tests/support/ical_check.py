#!/usr/bin/python3
"""Checks an iCalendar file written by sala against the fields the test expected.

usage: ical_check.py FILE.ics EXPECTED.json

Parses FILE.ics with Debian's python3-icalendar and compares every field of
every VEVENT with EXPECTED.json (written by tests/unit/test_icalendar.cpp), and
checks the wire format RFC 5545 asks for: CRLF line ends, physical lines of at
most 75 octets that each decode as UTF-8 (no sequence split by folding), and
VTIMEZONE observances that agree with the system tz database (zoneinfo).
Prints every mismatch; exit 0 when there is none, 1 otherwise, 2 on bad usage.
"""
import datetime as dt
import json
import sys
import zoneinfo

import icalendar

UTC = dt.timezone.utc


def fail(problems, text):
    problems.append(text)


def check_wire(raw, problems):
    if not raw.endswith(b"\r\n"):
        fail(problems, "file does not end with CRLF")
    lines = raw.split(b"\r\n")[:-1]
    for n, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            fail(problems, f"line {n}: bare LF or CR inside a line")
        if len(line) > 75:
            fail(problems, f"line {n}: {len(line)} octets (> 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            fail(problems, f"line {n}: not valid UTF-8 on its own (split sequence?): {e}")
    return len(lines)


def offset(td_prop):
    return td_prop.td if hasattr(td_prop, "td") else td_prop


def check_vtimezones(cal, problems):
    zones = {}
    for tz in cal.walk("VTIMEZONE"):
        tzid = str(tz["TZID"])
        zi = zoneinfo.ZoneInfo(tzid)
        n = 0
        for obs in tz.subcomponents:
            if obs.name not in ("STANDARD", "DAYLIGHT"):
                fail(problems, f"{tzid}: unexpected {obs.name}")
                continue
            n += 1
            start = obs.decoded("DTSTART")
            frm = offset(obs.decoded("TZOFFSETFROM"))
            to = offset(obs.decoded("TZOFFSETTO"))
            onset = (start - frm).replace(tzinfo=UTC)
            got_to = onset.astimezone(zi).utcoffset()
            got_from = (onset - dt.timedelta(seconds=1)).astimezone(zi).utcoffset()
            if onset.year >= 1971 and (got_to != to or got_from != frm):
                fail(problems, f"{tzid}: {obs.name} at {start} says {frm}->{to}, "
                               f"zoneinfo says {got_from}->{got_to}")
            is_dst = bool(onset.astimezone(zi).dst())
            if is_dst != (obs.name == "DAYLIGHT"):
                fail(problems, f"{tzid}: {obs.name} at {start} but zoneinfo dst={is_dst}")
        zones[tzid] = n
    return zones


def iso_utc(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "naive:" + str(value)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    raw = open(sys.argv[1], "rb").read()
    expected = json.load(open(sys.argv[2], encoding="utf-8"))
    problems = []
    nlines = check_wire(raw, problems)
    cal = icalendar.Calendar.from_ical(raw)
    for key, want in (("VERSION", "2.0"), ("X-WR-CALNAME", expected["calname"])):
        if str(cal.get(key)) != want:
            fail(problems, f"calendar {key}: got {cal.get(key)!r}, want {want!r}")
    zones = check_vtimezones(cal, problems)
    for z in expected.get("zones", []):
        if z not in zones:
            fail(problems, f"no VTIMEZONE for {z}")
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    if len(events) != len(expected["events"]):
        fail(problems, f"{len(events)} VEVENTs, want {len(expected['events'])}")
    for want in expected["events"]:
        uid = want["uid"]
        ev = events.get(uid)
        if ev is None:
            fail(problems, f"missing VEVENT {uid}")
            continue

        def same(what, got, exp):
            if got != exp:
                fail(problems, f"{uid} {what}: got {got!r}, want {exp!r}")

        same("SUMMARY", str(ev["SUMMARY"]), want["summary"])
        same("LOCATION", str(ev["LOCATION"]), want["location"])
        same("DESCRIPTION", str(ev["DESCRIPTION"]), want["description"])
        same("STATUS", str(ev["STATUS"]), want["status"])
        same("DTSTART", iso_utc(ev.decoded("DTSTART")), want["dtstart_utc"])
        same("DTEND", iso_utc(ev.decoded("DTEND")), want["dtend_utc"])
        same("DTSTAMP", iso_utc(ev.decoded("DTSTAMP")), want["dtstamp_utc"])
        same("ORGANIZER", str(ev["ORGANIZER"]), "mailto:" + want["organizer_email"])
        same("ORGANIZER CN", str(ev["ORGANIZER"].params.get("CN")), want["organizer_cn"])
        same("X-SALA-BLOCKED", str(ev["X-SALA-BLOCKED"]), want["blocked"])
        same("X-SALA-EVENT", str(ev["X-SALA-EVENT"]), want["event"])
        same("X-SALA-ROOM", str(ev.get("X-SALA-ROOM", "")), want["room"])
        same("DTSTART TZID", ev["DTSTART"].params.get("TZID"), want["tzid_start"])
        same("DTEND TZID", ev["DTEND"].params.get("TZID"), want["tzid_end"])
    for p in problems:
        print("ical_check:", p)
    print(f"ical_check: {len(events)} event(s), {len(zones)} VTIMEZONE(s), {nlines} lines, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
