"""POST /v1/zoom/webhook against a live server (label server): the URL
validation handshake, signatures accepted and refused (wrong, stale, future,
missing), ugly bodies refused naming the field, a repeated delivery
acknowledged once, each event's effect seen through the API, unknown events
acknowledged, and the secret never in a log line. The HMACs here come from
Python's hmac module, not from sala."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any, Callable, Optional

import pytest

from conftest import ORGANIZER_EMAIL, LiveServer, make_token, request_body

SECRET = "zoom-secret-token-for-tests-0123456789"
CONFIG = """
[conferencing]
backend = "fake"
fake_users = [{user_id = "u1", email = "webinar01@symposium.events"},
              {user_id = "u2", email = "webinar02@symposium.events"},
              {user_id = "u3", email = "webinar03@symposium.events"}]
[mail]
backend = "fake"
sender = "sala@symposium.events"
admin = "admin@symposium.events"
"""


def sign(body: bytes, ts: Optional[int] = None, secret: str = SECRET) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    mac = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": str(ts), "x-zm-signature": "v0=" + mac,
            "content-type": "application/json"}


def event(name: str, obj: Optional[dict[str, Any]] = None, ts: Optional[int] = None, **top: Any) -> bytes:
    body: dict[str, Any] = {"event": name, "event_ts": ts or int(time.time() * 1000),
                            "payload": {"account_id": "zoom-acc-1", **({"object": obj} if obj else {})}}
    body.update(top)
    return json.dumps(body).encode()


class Hooks:
    def __init__(self, server: LiveServer, admin: str, organizer: str) -> None:
        self.server = server
        self.admin = server.client(admin)
        self.organizer = server.client(organizer)
        self.zoom = server.client()

    def post(self, body: bytes, headers: Optional[dict[str, str]] = None) -> Any:
        return self.zoom.post("/v1/zoom/webhook", content=body, headers=sign(body) if headers is None else headers)

    def inbox(self) -> list[dict[str, Any]]:
        r = self.admin.get("/v1/zoom/webhook/inbox")
        assert r.status_code == 200, r.text
        return list(r.json())


def wait_for(what: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError("not seen in time")


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: Any) -> Any:
    tmp = tmp_path_factory.mktemp("zoomhooks")
    db = tmp / "sala.db"
    admin, organizer = make_token(db, "admin"), make_token(db, "organizer", ORGANIZER_EMAIL, "Ana")
    server = LiveServer(db, CONFIG, env={"SALA_ZOOM_WEBHOOK_SECRET": SECRET})
    try:
        h = Hooks(server, admin, organizer)
        link = h.admin.post("/v1/accounts", json={"name": "symposium", "kind": "own"}).json()
        for room in link["new_rooms"]:
            assert h.admin.post(f"/v1/rooms/{room}/activate").status_code == 200
            assert h.admin.put(f"/v1/rooms/{room}/mode", json={"mode": "automatic"}).status_code == 200
        yield h
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait(30)


def booked(h: Hooks, title: str) -> tuple[int, str]:
    """A request starting in 20 minutes (credentials due at once) and its Zoom webinar id."""
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    r = h.admin.post("/v1/requests", json=request_body(1, title=title, start=start.isoformat(), zone="UTC"))
    assert r.status_code == 201 and r.json()["state"] == "assigned", r.text
    rid = r.json()["id"]
    cred = wait_for(lambda: (lambda c: c.json() if c.status_code == 200 else None)(
        h.admin.get(f"/v1/requests/{rid}/credentials")))
    webinar_id = cred["join_url"].split("/w/")[1].split("?")[0]
    assert webinar_id.isdigit()
    return rid, webinar_id


def test_url_validation_handshake(hooks: Hooks) -> None:
    body = json.dumps({"event": "endpoint.url_validation", "event_ts": 1,
                       "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}}).encode()
    r = hooks.post(body)
    assert r.status_code == 200, r.text
    want = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert r.json() == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": want}
    assert hooks.inbox() == []  # a handshake is answered, not queued
    # Unsigned, it is refused: an open HMAC oracle would let anyone forge signatures.
    assert hooks.post(body, headers={"content-type": "application/json"}).status_code == 401
    # Nor is the signature's own message signed as a "plain token".
    oracle = json.dumps({"event": "endpoint.url_validation", "event_ts": 2,
                         "payload": {"plainToken": "v0:1764687600:{}"}}).encode()
    r = hooks.post(oracle)
    assert r.status_code == 422 and r.json()["field"] == "payload.plainToken", r.text


@pytest.mark.parametrize("case,field", [
    ("no headers", "x-zm-request-timestamp"),
    ("no signature", "x-zm-signature"),
    ("wrong secret", "x-zm-signature"),
    ("wrong prefix", "x-zm-signature"),
    ("body changed", "x-zm-signature"),
    ("stale", "x-zm-request-timestamp"),
    ("future", "x-zm-request-timestamp"),
    ("garbled timestamp", "x-zm-request-timestamp"),
])
def test_refused_signatures_change_nothing(hooks: Hooks, case: str, field: str) -> None:
    body = event("webinar.started", {"id": 1, "uuid": "x"})
    now = int(time.time())
    good = sign(body, now)
    headers = {
        "no headers": {"content-type": "application/json"},
        "no signature": {k: v for k, v in good.items() if k != "x-zm-signature"},
        "wrong secret": sign(body, now, secret="another"),
        "wrong prefix": {**good, "x-zm-signature": "v1=" + good["x-zm-signature"][3:]},
        "body changed": good,
        "stale": sign(body, now - 301),
        "future": sign(body, now + 301),
        "garbled timestamp": {**good, "x-zm-request-timestamp": "12ab"},
    }[case]
    sent = body + b" " if case == "body changed" else body
    before = hooks.inbox()
    r = hooks.post(sent, headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field and r.json()["rule"] == "zoom-signature"
    assert SECRET not in r.text
    assert hooks.inbox() == before


@pytest.mark.parametrize("body,field", [
    (b"not json", "body"),
    (b'{"payload": {}}', "event"),
    (b'{"event": "webinar.ended", "payload": {"object": {"uuid": "u"}}}', "payload.object.id"),
    (b'{"event": "recording.completed", "payload": {"object": {"id": 5}}}', "payload.object.recording_files"),
])
def test_signed_but_ugly_bodies_are_refused_naming_the_field(hooks: Hooks, body: bytes, field: str) -> None:
    before = hooks.inbox()
    r = hooks.post(body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert hooks.inbox() == before


def test_events_act_once_and_show_through_the_api(hooks: Hooks) -> None:
    rid, wid = booked(hooks, "Webhooks")
    assert hooks.admin.get(f"/v1/requests/{rid}").json()["status"] == "future"

    started = event("webinar.started", {"id": int(wid), "uuid": "uu==", "host_id": "u1",
                                        "start_time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
    r = hooks.post(started)
    assert r.status_code == 200 and r.json() == {"received": True, "duplicate": False}, r.text
    # Zoom retries with a new timestamp and signature: acknowledged, not applied twice.
    r = hooks.post(started, sign(started, int(time.time()) - 5))
    assert r.status_code == 200 and r.json()["duplicate"] is True
    wait_for(lambda: hooks.admin.get(f"/v1/requests/{rid}").json()["status"] == "running")
    rows = [x for x in hooks.inbox() if x["event"] == "webinar.started"]
    assert len(rows) == 1 and rows[0]["outcome"] == "applied" and rows[0]["request"] == rid

    files = [{"id": "f1", "file_type": "MP4", "download_url": "https://zoom.example/rec/f1", "file_size": 10}]
    r = hooks.post(event("recording.completed", {"id": int(wid), "uuid": "uu==", "recording_files": files},
                         download_token="dl-token-secret-xyz"))
    assert r.status_code == 200, r.text
    recs = wait_for(lambda: (lambda j: j if j["files"] else None)(
        hooks.admin.get(f"/v1/requests/{rid}/recordings").json()))
    assert [f["id"] for f in recs["files"]] == ["f1"]

    assert hooks.admin.get(f"/v1/requests/{rid}/report").status_code == 404  # not before the end
    r = hooks.post(event("webinar.ended", {"id": int(wid), "uuid": "uu==",
                                           "end_time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}))
    assert r.status_code == 200, r.text
    # The report is fetched at the end Zoom reported, not at the grace end (20 min + duration away).
    wait_for(lambda: hooks.admin.get(f"/v1/requests/{rid}/report").status_code == 200)

    r = hooks.post(event("meeting.sharing_started", {"id": 9}))
    assert r.status_code == 200 and r.json()["duplicate"] is False
    r = hooks.post(event("webinar.started", {"id": 123456, "uuid": "nobody"}))
    assert r.status_code == 200
    outcomes = wait_for(lambda: (lambda xs: xs if all(x["state"] == "done" for x in xs) else None)(hooks.inbox()))
    by_event = {x["event"]: x["outcome"] for x in outcomes if x["request"] != rid}
    assert by_event["meeting.sharing_started"] == "ignored"
    assert by_event["webinar.started"] == "unknown_webinar"

    metrics = hooks.zoom.get("/metrics").text
    assert 'sala_zoom_webhooks_total{event="webinar.started",outcome="duplicate"} 1.0' in metrics
    assert 'sala_zoom_webhooks_total{event="unverified",outcome="refused"}' in metrics
    lines = "\n".join(hooks.server.lines)
    assert SECRET not in lines and "dl-token-secret-xyz" not in lines
    logged = [x for x in hooks.server.records() if x.get("event") == "zoom_webhook"]
    assert {x["outcome"] for x in logged} >= {"queued", "duplicate", "refused", "validated", "invalid"}


def test_app_deauthorized_deactivates_free_rooms_and_names_booked_ones(hooks: Hooks) -> None:
    rid, _ = booked(hooks, "Still booked")
    room_of = hooks.admin.get(f"/v1/requests/{rid}").json()["room"]
    body = json.dumps({"event": "app_deauthorized", "event_ts": int(time.time() * 1000),
                       "payload": {"account_id": "zoom-acc-1", "user_id": "x", "client_id": "c",
                                   "deauthorization_time": "2026-01-01T00:00:00Z"}}).encode()
    assert hooks.post(body).status_code == 200
    row = wait_for(lambda: [x for x in hooks.inbox() if x["event"] == "app_deauthorized" and x["state"] == "done"])
    assert row[0]["outcome"] == "applied"
    held = {x["room"] for x in hooks.admin.get("/v1/requests?limit=500").json()["items"]
            if x["status"] != "finished"}
    rooms = hooks.admin.get("/v1/rooms").json()
    assert room_of in held and len(rooms) == 3 and len(held) < 3
    for r in rooms:  # R4: rooms still holding webinars stay; the others stop taking requests
        assert r["active"] is (r["id"] in held), r
    logged = [x for x in hooks.server.records() if x.get("event") == "zoom_deauthorized"]
    assert logged and logged[-1]["still_booked"] == len(held) and rid in logged[-1]["booked"]
    assert logged[-1]["deactivated"] == 3 - len(held)
