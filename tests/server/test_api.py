"""The API against a live server: problem+json for each kind of bad input
(and nothing changed), idempotent POSTs, the probes, the OpenAPI document,
body limits, CORS, the authentication rate limit and secret-free logs."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import (ORGANIZER_EMAIL, World, day, dst_gap, dst_overlap, module_world, request_body,
                      utc_day)

OPENAPI_SCHEMA = Path("/usr/share/openapi-specification/schemas/v3.0/schema.json")


@pytest.fixture(scope="module")
def world(tmp_path_factory: Any) -> Any:
    yield from module_world(tmp_path_factory, "api", rooms=2,
                            config="[server]\nauth_failures_per_minute = 100000\nmax_body_bytes = 4096\n")


def snapshot(w: World) -> Any:
    items = w.admin.get("/v1/requests?limit=500").json()["items"]
    return items, w.admin.get("/v1/rooms").json(), w.admin.get("/v1/settings").json(), \
        w.server.client().get("/readyz").json()["checks"]["store"]["version"]


def assert_problem(r: Any, status: int, field: str | None, rule: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["type"].startswith("urn:sala:problem:")
    assert body["title"] and body["detail"] and body["instance"]
    if field is not None:
        assert body.get("field") == field, body
    if rule is not None:
        assert body.get("rule") == rule, body
    return body


BAD_SUBMITS = [
    # (what is wrong, body changes, status, field, rule)
    ("missing title", {"title": None}, 422, "title", None),
    ("unknown field", {"colour": "red"}, 422, "colour", "value_error.extra"),
    ("not RFC 3339", {"start": "13/05/2027 09:00"}, 422, "start", "rfc3339"),
    ("seconds", {"start": day(12)[:17] + "30" + day(12)[19:]}, 422, "start", "whole-minute"),
    ("offset not the zone's", {"start": day(12)[:19] + "+05:00"}, 422, "start", "offset-matches-zone"),
    ("DST gap", {"start": dst_gap()}, 422, "start", "dst-gap"),
    ("DST gap with an offset", {"start": dst_gap() + "+01:00"}, 422, "start", "offset-matches-zone"),
    ("DST overlap", {"start": dst_overlap()}, 422, "start", "dst-overlap"),
    ("unknown zone", {"zone": "Europe/Atlantis"}, 422, "zone", "iana-zone"),
    ("zero duration", {"duration": 0}, 422, "duration", None),
    ("duration not a number", {"duration": "long"}, 422, "duration", None),
    ("bad admission", {"admission": "maybe"}, 422, "admission", None),
    ("no organizer", {"organizer": None}, 422, "organizer", "required"),
    ("bad organizer e-mail", {"organizer": {"name": "A", "email": "not an address"}}, 422, None, None),
    ("in the past", {"start": "2020-05-13T09:00:00+02:00"}, None, None, None),
]


@pytest.mark.parametrize("what,change,status,field,rule", BAD_SUBMITS, ids=[b[0] for b in BAD_SUBMITS])
def test_bad_submit_is_a_problem_and_changes_nothing(world: World, what: str, change: dict[str, Any],
                                                     status: int | None, field: str | None,
                                                     rule: str | None) -> None:
    before = snapshot(world)
    body = request_body(11)
    for k, v in change.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    r = world.admin.post("/v1/requests", json=body)
    p = assert_problem(r, status or r.status_code, field, rule)
    assert r.status_code in (409, 422), p
    assert p.get("field") or p.get("rule"), p  # the field or the rule is named
    assert snapshot(world) == before


def test_dst_choice_is_honoured(world: World) -> None:
    r = world.admin.post("/v1/requests", json=request_body(12, start=dst_overlap(), choose="latest"))
    assert r.status_code == 201, r.text
    assert r.json()["start"] == dst_overlap() + "+01:00"  # the later 02:30 (CET)
    r = world.admin.post("/v1/requests", json=request_body(13, start=dst_overlap() + "+02:00"))
    assert r.status_code == 201 and r.json()["start"] == dst_overlap() + "+02:00"  # the offset says which


def test_other_bad_inputs(world: World) -> None:
    before = snapshot(world)
    assert_problem(world.admin.get("/v1/requests/999999"), 404, "request", "exists")
    assert_problem(world.admin.post("/v1/requests/999999/cancel"), 404, "request")
    assert_problem(world.admin.get("/v1/requests/abc"), 422, "rid")
    assert_problem(world.admin.get("/v1/requests?state=maybe"), 422, "state")
    assert_problem(world.admin.get("/v1/requests?limit=100000"), 422, "limit")
    assert_problem(world.admin.get("/v1/requests?cursor=x"), 422, "cursor")
    assert_problem(world.admin.get(f"/v1/calendar?from={utc_day(0)[:10]}&to={utc_day(30)}"), 422, "from")
    assert_problem(world.admin.get(f"/v1/calendar?from={utc_day(30)}&to={utc_day(0)}"), 422, "to")
    assert_problem(world.admin.put("/v1/rooms/1/mode", json={"mode": "sometimes"}), 422, "mode")
    assert_problem(world.admin.put("/v1/rooms/99/mode", json={"mode": "manual"}), 404, "room")
    assert_problem(world.admin.put("/v1/settings", json={"preparation": -5}), 422, None)
    assert_problem(world.admin.post("/v1/requests/1/assign", json={"room": 99}), 404, None)
    r = world.admin.post("/v1/requests", content=b"{not json", headers={"content-type": "application/json"})
    assert_problem(r, 422, None)
    assert_problem(world.admin.get("/v1/nowhere"), 404, None)
    assert_problem(world.admin.delete("/v1/rooms"), 405, None)
    assert snapshot(world) == before


def test_busy_room_is_409_and_changes_nothing(world: World) -> None:
    a = world.admin.post("/v1/requests", json=request_body(20, start=day(33))).json()
    b = world.admin.post("/v1/requests", json=request_body(21, start=day(33))).json()
    c = world.admin.post("/v1/requests", json=request_body(22, start=day(33))).json()
    assert {a["state"], b["state"]} == {"assigned"} and c["state"] == "queued"
    before = snapshot(world)
    assert_problem(world.admin.post(f"/v1/requests/{c['id']}/assign", json={"room": a["room"]}), 409, "room", "free")
    assert snapshot(world) == before
    q = world.admin.get("/v1/queue").json()["items"]
    assert c["id"] in [x["id"] for x in q]


def test_idempotent_submit(world: World) -> None:
    body = request_body(30, start=day(34))
    h = {"Idempotency-Key": "submit-30"}
    first = world.admin.post("/v1/requests", json=body, headers=h)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    n = len(world.admin.get("/v1/requests?limit=500").json()["items"])
    for _ in range(3):
        again = world.admin.post("/v1/requests", json=body, headers=h)
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
    assert len(world.admin.get("/v1/requests?limit=500").json()["items"]) == n
    other = world.admin.post("/v1/requests", json=request_body(31), headers=h)
    assert_problem(other, 422, "Idempotency-Key", "same-request")
    # Keys belong to a token: the platform's same key is another request.
    mine = world.as_("platform").post("/v1/requests", json=body, headers=h)
    assert mine.status_code == 201 and mine.json()["id"] != first.json()["id"]
    assert_problem(world.admin.post("/v1/requests", json=body, headers={"Idempotency-Key": "has space"}),
                   422, "Idempotency-Key")
    # A cancel with a key: the repeat is answered, not run again (which would be a 404).
    ck = {"Idempotency-Key": "cancel-30"}
    c1 = world.admin.post(f"/v1/requests/{first.json()['id']}/cancel", headers=ck)
    c2 = world.admin.post(f"/v1/requests/{first.json()['id']}/cancel", headers=ck)
    assert c1.status_code == c2.status_code == 200 and c2.headers["idempotent-replayed"] == "true"


def test_list_filters_and_pages(world: World) -> None:
    for i in range(40, 47):
        assert world.as_("organizer").post("/v1/requests", json=request_body(i, organizer=None,
                                           event_id="page")).status_code == 201
    seen: list[int] = []
    cursor = None
    while True:
        q = "/v1/requests?event_id=page&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = world.admin.get(q).json()
        seen += [x["id"] for x in page["items"]]
        assert len(page["items"]) <= 3
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 and seen == sorted(seen)
    assigned = world.admin.get("/v1/requests?state=assigned&limit=500").json()["items"]
    assert assigned and all(x["state"] == "assigned" for x in assigned)
    mine = world.admin.get(f"/v1/requests?organizer={ORGANIZER_EMAIL}&limit=500").json()["items"]
    assert all(x["organizer"]["email"] == ORGANIZER_EMAIL for x in mine)
    window = world.admin.get(f"/v1/requests?from={utc_day(13)}&to={utc_day(15)}").json()["items"]
    assert window and all(utc_day(13)[:10] <= x["start"][:10] <= utc_day(14)[:10] for x in window)


def test_views_and_planning(world: World) -> None:
    cal = world.admin.get(f"/v1/calendar?from={utc_day(0)}&to={utc_day(60)}").json()
    assert cal and all(e["request"]["start"] >= utc_day(-1)[:10] for e in cal)
    room = cal[0]["room"] or 1
    assert world.admin.get(f"/v1/rooms/{room}/webinars").status_code == 200
    plan = world.admin.get(f"/v1/licence-plan?from={utc_day(0)}&to={utc_day(60)}").json()
    assert plan["requests"] >= 1 and plan["minimum_rooms"] >= 1
    assert world.admin.get("/v1/settings").json()["preparation"] == 30
    assert world.admin.get("/v1/problems").json() == []
    assert world.admin.get("/v1/accounts").json()[0]["name"] == "symposium"


def test_probes_metrics_and_openapi(world: World) -> None:
    c = world.server.client()
    assert c.get("/healthz").json() == {"status": "ok"}
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["store"]["ok"]
    text = c.get("/metrics").text
    for name in ("sala_http_request_duration_seconds_bucket", "sala_queue_length", "sala_open_problems",
                 "sala_lifecycle_lag_seconds", "sala_outbox_backlog", "sala_commands_total",
                 "sala_backend_errors_total", "sala_lifecycle_steps_total"):
        assert name in text, name
    q = [ln for ln in text.splitlines() if ln.startswith("sala_queue_length ")]
    assert q and float(q[0].split()[1]) == len(world.admin.get("/v1/queue").json()["items"])
    doc = c.get("/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.0")
    jsonschema.Draft4Validator(json.loads(OPENAPI_SCHEMA.read_text())).validate(doc)
    assert "/v1/requests" in doc["paths"] and "Problem" in doc["components"]["schemas"]
    page = c.get("/v1/docs")
    assert page.status_code == 200 and "/v1/openapi.json" in page.text
    assert_docs_page(page, doc)


def assert_docs_page(page: Any, doc: dict[str, Any]) -> None:
    """The reference page works offline: no script, nothing loaded from elsewhere, every
    path and schema of the OpenAPI document on it, and valid HTML to a second parser."""
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = page.text
    assert "<script" not in text.lower()
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text), "the page loads something from elsewhere"
    for path in doc["paths"]:
        assert f'<span class="path">{html.escape(path)}</span>' in text, path
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in text, name
    tidy = shutil.which("tidy")
    assert tidy, "tidy (Debian package tidy) is needed to check the docs page"
    r = subprocess.run([tidy, "-q", "-e"], input=text.encode(), capture_output=True)
    assert r.returncode == 0, r.stderr.decode()


def test_openapi_validator_can_fail() -> None:
    schema = json.loads(OPENAPI_SCHEMA.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"openapi": "3.0.2", "info": {"title": "x"}, "paths": {}})


def test_body_limit_and_cors(world: World) -> None:
    big = request_body(50, title="x" * 100)
    big["panelists"] = ["p" * 50] * 100  # > 4096 bytes
    before = snapshot(world)
    assert_problem(world.admin.post("/v1/requests", json=big), 413, "body", "max-bytes")

    def chunks() -> Any:
        for _ in range(10):
            yield b" " * 1000
    r = world.admin.post("/v1/requests", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(r, 413, "body")
    assert snapshot(world) == before
    pre = world.server.client().options("/v1/requests", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert not any(k.lower().startswith("access-control-") for k in pre.headers)
    r = world.admin.get("/v1/rooms", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_request_id_and_logs_without_secrets(world: World) -> None:
    r = world.admin.get("/v1/rooms", headers={"X-Request-Id": "trace-42"})
    assert r.headers["x-request-id"] == "trace-42"
    assert world.admin.get("/v1/rooms", headers={"X-Request-Id": "bad id"}).headers["x-request-id"] != "trace-42"
    made = [world.admin.get("/v1/rooms").headers["x-request-id"] for _ in range(3)]
    assert len(set(made)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", x) for x in made), made
    recs = world.server.records()
    lines = [x for x in recs if x.get("request_id") == "trace-42"]
    assert {x["event"] for x in lines} == {"http", "command"}
    assert all("latency_ms" in x for x in lines)
    log = "\n".join(world.server.lines)
    for tok in world.tokens.values():
        assert tok not in log and tok[5:] not in log


def test_auth_failures_are_rate_limited(start_server: Any, tmp_path: Path) -> None:
    from conftest import make_token
    db = tmp_path / "rl.db"
    good = make_token(db, "admin")
    s = start_server(db, "[server]\nauth_failures_per_minute = 5\n")
    c = s.client("sala_wrong")
    codes = [c.get("/v1/rooms").status_code for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429], codes
    r = s.client(good).get("/v1/rooms")
    assert_problem(r, 429, None)
    assert int(r.headers["retry-after"]) >= 1


def test_readyz_fails_when_the_lifecycle_is_behind(tmp_path: Path) -> None:
    """In-process (the lag cannot be produced on demand through HTTP): the worker's
    next_due an hour ago is past ready_max_lag_seconds, so /readyz answers 503."""
    import asyncio
    import datetime as dt
    import io

    import httpx
    from sala.server import config
    from sala.server.__main__ import build
    from sala.server.logs import Log
    cfg = config.load(None, env={}, db=str(tmp_path / "r.db"))
    s = build(cfg, Log(io.StringIO()))
    s.worker.start()
    try:
        async def ready() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=s.asgi), base_url="http://t") as c:
                return await c.get("/readyz")
        assert asyncio.run(ready()).status_code == 200
        s.worker.next_due = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        r = asyncio.run(ready())
        assert r.status_code == 503
        assert r.json()["checks"]["lifecycle"]["ok"] is False and r.json()["checks"]["store"]["ok"] is True
    finally:
        s.worker.stop()
