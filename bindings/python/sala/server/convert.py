"""JSON <-> sala values. Times go out as RFC 3339 with the event zone's offset
(instants that belong to no event in UTC); wall-clock inputs are checked here
so a bad one is a 422 naming its field before any command runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional
from zoneinfo import ZoneInfo

import sala

from . import problems
from .models import RequestIn

UTC = dt.timezone.utc
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$")


def _zone(field: str, name: str) -> ZoneInfo:
    try:
        sala.check_zone(name)
        return ZoneInfo(name)
    except (sala.Error, ValueError, KeyError):
        raise problems.invalid(field, "iana-zone", f"{field}: {name!r} is not an IANA time zone") from None


def parse_time(field: str, text: str, *, need_offset: bool) -> dt.datetime:
    if not _RFC3339.match(text):
        raise problems.invalid(field, "rfc3339", f"{field}: {text!r} is not an RFC 3339 date-time")
    try:
        t = dt.datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError as e:
        raise problems.invalid(field, "rfc3339", f"{field}: {e}") from None
    if t.second or t.microsecond:
        raise problems.invalid(field, "whole-minute", f"{field}: sala works in whole minutes")
    if need_offset and t.tzinfo is None:
        raise problems.invalid(field, "offset-required", f"{field}: give an offset (Z or +HH:MM)")
    return t


def window(begin: str, end: str, fields: tuple[str, str] = ("from", "to")) -> Any:
    b = parse_time(fields[0], begin, need_offset=True)
    e = parse_time(fields[1], end, need_offset=True)
    if e < b:
        raise problems.invalid(fields[1], "after-from", f"{fields[1]} is before {fields[0]}")
    return sala.Interval(b.astimezone(UTC), e.astimezone(UTC))


def request_input(body: RequestIn, organizer: sala.Organizer) -> Any:
    zone = _zone("zone", body.zone)
    t = parse_time("start", body.start, need_offset=False)
    choose = sala.Choose(body.choose) if body.choose else None
    if t.tzinfo is not None:
        local = t.astimezone(zone)
        if local.utcoffset() != t.utcoffset():
            raise problems.invalid(
                "start", "offset-matches-zone",
                f"start: offset {t.strftime('%z')} is not {body.zone}'s offset at that instant "
                f"({local.strftime('%z')}, {local.replace(tzinfo=None).isoformat()} local): "
                "check the time, or send the wall-clock time without an offset")
        start = t.astimezone(UTC)
    else:
        start = t
    return sala.RequestInput(body.title, start, body.duration, body.event_id, organizer, zone=body.zone,
                             admission=sala.Admission(body.admission), expected_attendees=body.expected_attendees,
                             panelists=list(body.panelists), choose=choose)


def iso(t: Optional[dt.datetime], zone: Optional[str] = None) -> Optional[str]:
    if t is None:
        return None
    return t.astimezone(ZoneInfo(zone) if zone else UTC).isoformat()


def request_json(dp: Any, req: Any, reservation: Any = None, *, status: Optional[str] = None) -> dict[str, Any]:
    z = req.zone
    b = req.blocked
    room = int(reservation.room) if reservation is not None else None
    return {
        "id": int(req.id), "title": req.title, "start": iso(req.start, z),
        "local_start": req.local_start.replace(tzinfo=None).isoformat(), "zone": z,
        "duration": int(req.duration.total_seconds() // 60), "event_id": req.event_id,
        "admission": req.admission.value,
        "organizer": {"name": req.organizer.name, "email": req.organizer.email},
        "expected_attendees": req.expected_attendees, "panelists": list(req.panelists),
        "blocked": {"begin": iso(b.begin, z), "end": iso(b.end, z)},
        "state": "assigned" if room is not None else "queued", "room": room,
        "status": status if status is not None else dp.status(req.id).value,
    }


def history_json(h: Any) -> dict[str, Any]:
    """A request that left the live state (cancelled, or finished and archived)."""
    state = h.status.value
    body = request_json(None, h.request, None, status=state)
    body.update(state=state, room=int(h.room) if h.room is not None else None)
    return body


def room_json(r: Any) -> dict[str, Any]:
    return {"id": int(r.id), "pool": int(r.pool), "user_id": r.user_id, "email": r.email,
            "display_name": r.display_name, "capacity": r.capacity, "active": r.active, "mode": r.mode.value}


def minutes(d: dt.timedelta) -> int:
    return int(d.total_seconds() // 60)


SETTINGS_FIELDS = ("min_days_in_advance", "max_days_in_advance", "min_duration", "max_duration",
                   "preparation", "courtesy", "post_processing", "credentials_lead", "end_warning_lead")


def settings_json(s: Any) -> dict[str, Any]:
    out = {}
    for f in SETTINGS_FIELDS:
        v = getattr(s, f)
        out[f] = minutes(v) if isinstance(v, dt.timedelta) else int(v)
    return out


def assignment_json(dp: Any, rid: Any, a: Any) -> dict[str, Any]:
    req = dp.get_request(rid)
    return {"assigned": bool(a), "status": a.status.value, "room": int(a.room) if a.room is not None else None,
            "reason": a.reason, "request": request_json(dp, req, dp.reservation_of(rid))}


def calendar_entry_json(dp: Any, e: Any) -> dict[str, Any]:
    return {"request": request_json(dp, e.request, dp.reservation_of(e.request.id), status=e.status.value),
            "room": int(e.room) if e.room is not None else None, "status": e.status.value}


def credentials_json(c: Any) -> dict[str, Any]:
    return {"start_url": c.start_url, "join_url": c.join_url, "user_name": c.user_name,
            "password": c.password, "valid_until": iso(c.valid_until)}


def report_json(r: Any, zone: str) -> dict[str, Any]:
    return {"request": int(r.request), "title": r.title, "people": r.people(),
            "sessions": [{"name": x.name, "email": x.email, "join_time": iso(x.join_time, zone),
                          "leave_time": iso(x.leave_time, zone), "duration_seconds": x.duration_seconds}
                         for x in r.sessions]}


def problem_json(x: Any) -> dict[str, Any]:
    return {"request": int(x.request) if x.request is not None else None,
            "room": int(x.room) if x.room is not None else None, "step": x.step.value,
            "title": x.title, "failures": x.failures, "last_error": x.last_error,
            "next_attempt": iso(x.next_attempt)}


def pool_json(view: Any, p: Any) -> dict[str, Any]:
    return {"id": int(p.id), "name": p.name, "kind": p.kind.value, "takes_new_requests": view.takes_new_requests(p.id)}


def account_user_json(u: Any) -> dict[str, Any]:
    return {"user_id": u.user_id, "email": u.email, "display_name": u.display_name, "owner": u.owner,
            "licensed": u.licensed, "capacity": u.capacity}


def link_json(r: Any) -> dict[str, Any]:
    return {"pool": int(r.pool), "new_rooms": [int(x) for x in r.new_rooms],
            "wasted_licences": [u.email for u in r.wasted_licences], "unlicensed": [u.email for u in r.unlicensed]}


def matching_requests(dp: Any, after: int = 0, *, who: Optional[str] = None, state: Optional[str] = None,
                      room: Optional[int] = None, event_id: Optional[str] = None,
                      lo: Optional[dt.datetime] = None, hi: Optional[dt.datetime] = None) -> Any:
    """(request, reservation) of the live requests after id `after` that pass the filters, in id
    order (`who`: a casefolded organizer e-mail; `state`: "assigned" or "queued"; `lo`/`hi`: start
    at or after / before). A walk up the ids, so a page costs its own size, not a copy of every
    request; cancelled and archived ids are skipped."""
    for num in range(after + 1, dp.next_request):
        try:
            req = dp.get_request(num)
            res = dp.reservation_of(req.id)
        except sala.NotFoundError:
            continue  # gone, or cancelled or archived (get_request answers from history)
        if (who is not None and req.organizer.email.casefold() != who
                or state == "assigned" and res is None or state == "queued" and res is not None
                or room is not None and (res is None or int(res.room) != room)
                or event_id is not None and req.event_id != event_id
                or lo is not None and req.start < lo or hi is not None and req.start >= hi):
            continue
        yield req, res
