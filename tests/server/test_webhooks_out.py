"""Webhooks out (docs/server.md, "Webhooks out"): a real loopback receiver gets
every event type sala emits, each signed the Standard Webhooks way; a receiver
answering 500 gets a retry with the same webhook-id; redeliver sends it again;
bad URLs and secrets are refused naming the field; the secret is shown once
and never logged. Roles: test_authz.py (the matrix in docs/server.md)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.server
import threading
import time
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest
import sala

from conftest import LiveServer, World, module_world, request_body, setup_world

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks specification's example key
CONFIG = "[webhooks]\nretry_base_seconds = 1\nmax_attempts = 3\ntimeout_seconds = 5\n"
ALL_TYPES = {"request.assigned", "request.queued", "request.reassigned", "request.cancelled",
             "credentials.issued", "report.ready", "problem.opened", "problem.closed"}


class Receiver:
    """An HTTP server on a free loopback port that records every POST; `script[path]`
    lists the statuses to answer in turn (then 200)."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        self.script: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with outer.lock:
                    outer.got.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    todo = outer.script.get(self.path, [])
                    status = todo.pop(0) if todo else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def at(self, path: str) -> list[tuple[str, dict[str, str], bytes]]:
        with self.lock:
            return [g for g in self.got if g[0] == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Any:
    r = Receiver()
    yield r
    r.close()


def wait_for(what: Callable[[], Any], message: str, timeout: float = 60) -> Any:
    """A bounded wait for an outcome (not a timing assert): fails with `message`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(message)


def independent_signature(secret: str, wid: str, ts: str, body: bytes) -> str:
    """The Standard Webhooks signature computed without sala, as a receiver would."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def check_signed(headers: dict[str, str], body: bytes, secret: str = SECRET) -> None:
    wid, ts, sig = headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]
    assert sala.verify_webhook(secret, wid, ts, sig, body, now=int(time.time())), headers
    assert sig == independent_signature(secret, wid, ts, body)
    assert not sala.verify_webhook(secret, wid, ts, sig, body + b" ", now=int(time.time()))
    assert headers["content-type"] == "application/json"


def types_at(r: Receiver, path: str) -> set[str]:
    import json
    return {json.loads(b)["type"] for _, _, b in r.at(path)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: Any) -> Any:
    yield from module_world(tmp_path_factory, "webhooks", CONFIG, rooms=2)


def test_each_type_reaches_a_real_receiver_signed_across_a_restart(start_server: Any, tmp_path: Path,
                                                                   receiver: Receiver) -> None:
    w = setup_world(start_server, tmp_path, rooms=2, config=CONFIG)
    r = w.admin.post("/v1/webhooks", json={"url": receiver.url + "/all", "secret": SECRET})
    assert r.status_code == 201, r.text
    assert r.json()["secret"] == SECRET
    # Commands through the API (R10, R11): assigned twice, queued, cancelled, reassigned.
    a = w.admin.post("/v1/requests", json=request_body(1)).json()
    b = w.admin.post("/v1/requests", json=request_body(1)).json()
    c = w.admin.post("/v1/requests", json=request_body(1)).json()
    assert (a["state"], b["state"], c["state"]) == ("assigned", "assigned", "queued"), (a, b, c)
    assert w.admin.post(f"/v1/requests/{b['id']}/cancel").status_code == 200
    d = w.admin.post("/v1/requests", json=request_body(2)).json()
    room = d["room"]
    other = 1 if room == 2 else 2
    assert w.admin.post(f"/v1/requests/{d['id']}/reassign", json={"room": other}).status_code == 200
    wait_for(lambda: {"request.assigned", "request.queued", "request.cancelled",
                      "request.reassigned"} <= types_at(receiver, "/all"), "request.* not delivered")
    assert w.server.stop() == 0

    # The lifecycle in another process on the same store (a manual clock, a failing backend),
    # with the server down: its webhooks wait in the outbox.
    store = sala.SqliteStore.open(str(w.server.db))
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    clock = sala.ManualClock(now)
    dp = sala.DurablePlatform(store, clock)
    users = [sala.AccountUser(f"u{k}", f"webinar{k:02d}@symposium.events") for k in range(2)]
    conf = sala.FakeConferencing(users, clock)
    # Not retryable: surfaced at once (problem.opened), tried again an hour later (problem.closed).
    conf.fail_next(sala.FakeConferencing.Method.CREATE_WEBINAR, 1, False)
    life = sala.DurableLifecycle(dp, conf, sala.FakeMailer())
    dp.enable_webhooks()
    life.enable_webhooks()
    start = (now + dt.timedelta(hours=2)).astimezone(ZoneInfo("Europe/Madrid"))
    soon = dp.submit(title="Pronto", start=start, duration=30, event_id="e-soon",
                     organizer=sala.Organizer("Ana", "ana@example.org"))
    t = now
    while t < now + dt.timedelta(hours=3):
        clock.set(t)
        life.tick(t)
        t += dt.timedelta(minutes=1)
    del life, dp, store

    again = LiveServer(w.server.db, None)  # what was committed while it was down goes out first
    try:
        wait_for(lambda: ALL_TYPES <= types_at(receiver, "/all"),
                 f"not every type delivered: {sorted(ALL_TYPES - types_at(receiver, '/all'))}")
        import json
        seen: dict[str, int] = {}
        for _, headers, body in receiver.at("/all"):
            check_signed(headers, body)
            payload = json.loads(body)
            assert payload["type"] in ALL_TYPES
            seen[headers["webhook-id"]] = seen.get(headers["webhook-id"], 0) + 1
            data = payload["data"]
            if "request_id" in data:
                assert data["zone"] == "Europe/Madrid" and data["start"].endswith("Z"), payload
        assert all(n == 1 for n in seen.values()), seen  # each event once (the receiver said 200)
        report = [json.loads(b) for _, _, b in receiver.at("/all") if json.loads(b)["type"] == "report.ready"]
        assert report[0]["data"]["request_id"] == int(soon.id)
        for line in w.server.lines + again.lines:
            assert SECRET not in line and SECRET.removeprefix("whsec_") not in line
    finally:
        again.stop()


def test_a_failing_receiver_is_retried_then_delivered_and_redeliver_sends_again(world: World,
                                                                               receiver: Receiver) -> None:
    receiver.script["/flaky"] = [500]
    r = world.admin.post("/v1/webhooks", json={"url": receiver.url + "/flaky"})
    assert r.status_code == 201, r.text
    wid, secret = r.json()["id"], r.json()["secret"]
    assert sala.webhook_secret_problem(secret) == ""
    assert world.admin.post("/v1/requests", json=request_body(5)).status_code == 201
    deliveries = wait_for(
        lambda: [x for x in world.admin.get(f"/v1/webhooks/{wid}/deliveries").json() if x["status"] == "delivered"],
        "the delivery was not retried to success")
    first = deliveries[-1]
    assert first["attempts"] == 2 and first["last_http_status"] == 200, first
    posts = receiver.at("/flaky")
    assert len(posts) == 2
    assert posts[0][1]["webhook-id"] == posts[1][1]["webhook-id"] == first["webhook_id"]
    for _, headers, body in posts:
        check_signed(headers, body, secret)

    r = world.admin.post(f"/v1/webhooks/{wid}/deliveries/{first['id']}/redeliver")
    assert r.status_code == 200, r.text
    wait_for(lambda: len(receiver.at("/flaky")) == 3, "redeliver sent nothing")
    assert receiver.at("/flaky")[2][1]["webhook-id"] == first["webhook_id"]
    missing = world.admin.post(f"/v1/webhooks/{wid}/deliveries/999999/redeliver")
    assert missing.status_code == 404 and missing.json()["field"] == "delivery"
    assert world.admin.delete(f"/v1/webhooks/{wid}").status_code == 200


def test_a_receiver_that_keeps_failing_is_given_up_after_the_limit(world: World, receiver: Receiver) -> None:
    receiver.script["/down"] = [503] * 10
    wid = world.admin.post("/v1/webhooks", json={"url": receiver.url + "/down"}).json()["id"]
    assert world.admin.post("/v1/requests", json=request_body(6)).status_code == 201
    failed = wait_for(
        lambda: [x for x in world.admin.get(f"/v1/webhooks/{wid}/deliveries").json() if x["status"] == "failed"],
        "the delivery was never given up")
    assert failed[0]["attempts"] == 3 and failed[0]["last_http_status"] == 503
    assert failed[0]["last_error"] == "HTTP 503" and failed[0]["next_attempt"] is None
    assert len(receiver.at("/down")) == 3
    listed = {e["id"]: e for e in world.admin.get("/v1/webhooks").json()}
    assert listed[wid]["deliveries"]["failed"] >= 1
    assert world.admin.delete(f"/v1/webhooks/{wid}").status_code == 200


@pytest.mark.parametrize("url,why", [
    ("ftp://example.org/hook", "http or https"),
    ("http:///nohost", "host"),
    ("http://user:pw@example.org/hook", "credentials"),
    ("http://example.org/a b", "spaces"),
    ("http://example.org:99999/", "port"),
    ("example.org/hook", "http or https"),
    ("", "at least 1"),
])
def test_bad_urls_are_refused_naming_the_field(world: World, url: str, why: str) -> None:
    before = world.admin.get("/v1/webhooks").json()
    r = world.admin.post("/v1/webhooks", json={"url": url})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "url" and why in r.json()["detail"], r.json()
    assert world.admin.get("/v1/webhooks").json() == before


@pytest.mark.parametrize("secret", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ=", "whsec_not*base64*at+all",
                                    "whsec_"])
def test_bad_secrets_are_refused_naming_the_field_without_echoing_them(world: World, secret: str) -> None:
    before = world.admin.get("/v1/webhooks").json()
    r = world.admin.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "secret": secret})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "secret" and r.json()["rule"] == "standard-webhooks-secret"
    assert secret.removeprefix("whsec_") not in r.text or not secret.removeprefix("whsec_")
    assert world.admin.get("/v1/webhooks").json() == before


def test_unknown_fields_and_unknown_endpoints(world: World) -> None:
    r = world.admin.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["x"]})
    assert r.status_code == 422 and r.json()["field"] == "events"
    assert world.admin.get("/v1/webhooks/999/deliveries").status_code == 404
    assert world.admin.delete("/v1/webhooks/999").status_code == 404
    assert world.admin.get("/v1/webhooks/1/deliveries?status=bogus").json()["field"] == "status"


def test_the_secret_is_shown_once_and_never_logged(world: World) -> None:
    r = world.admin.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "description": "crm"})
    secret = r.json()["secret"]
    listed = world.admin.get("/v1/webhooks")
    assert secret not in listed.text and "secret" not in listed.json()[0]
    assert world.admin.get(f"/v1/webhooks/{r.json()['id']}/deliveries").status_code == 200
    assert all(secret not in line for line in world.server.lines)
    assert world.admin.delete(f"/v1/webhooks/{r.json()['id']}").status_code == 200
    assert r.json()["id"] not in [e["id"] for e in world.admin.get("/v1/webhooks").json()]

