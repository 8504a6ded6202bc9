"""examples/php against a live server: the PHP client submits, lists the queue
and cancels; the PHP webhook receiver (under `php -S`) gets sala's signed
webhooks, and refuses a wrong signature and a stale timestamp."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sala

from conftest import request_body, setup_world

SOURCE = Path(os.environ.get("SALA_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PHP_DIR = SOURCE / "examples" / "php"
PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (scripts/deps installs it)")


def php(url: str, token: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([PHP or "php", str(PHP_DIR / "client.php"), *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "SALA_URL": url, "SALA_TOKEN": token})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_php_client_submits_lists_the_queue_and_cancels(start_server: Any, tmp_path: Path) -> None:
    w = setup_world(start_server, tmp_path, rooms=1)
    url, platform, admin = w.server.url, w.tokens["platform"], w.tokens["admin"]
    first = php(url, platform, "submit", "-", stdin=json.dumps(request_body(1)))
    assert first.returncode == 0, first.stderr
    a = json.loads(first.stdout)
    assert a["state"] == "assigned"
    # The same Idempotency-Key again: the first answer, no second booking.
    b1 = php(url, platform, "submit", "-", "php-key-1", stdin=json.dumps(request_body(1)))
    b2 = php(url, platform, "submit", "-", "php-key-1", stdin=json.dumps(request_body(1)))
    assert b1.returncode == 0 and b2.returncode == 0, (b1.stderr, b2.stderr)
    b = json.loads(b1.stdout)
    assert b["state"] == "queued" and json.loads(b2.stdout)["id"] == b["id"]

    queue = php(url, admin, "queue")
    assert queue.returncode == 0, queue.stderr
    assert [x["id"] for x in json.loads(queue.stdout)["items"]] == [b["id"]]

    cancelled = php(url, platform, "cancel", str(b["id"]))
    assert cancelled.returncode == 0, cancelled.stderr
    assert json.loads(cancelled.stdout)["state"] == "cancelled"
    assert json.loads(php(url, admin, "queue").stdout)["items"] == []
    assert json.loads(php(url, platform, "get", str(a["id"])).stdout)["state"] == "assigned"

    # A refusal: the problem (field and rule) on stderr, exit 2, nothing booked.
    bad = php(url, platform, "submit", "-", stdin=json.dumps(request_body(2, zone="Mars/Olympus")))
    assert bad.returncode == 2
    problem = json.loads(bad.stderr)
    assert problem["field"] == "zone" and problem["status"] == 422
    forbidden = php(url, platform, "queue")  # the platform role may not read the queue
    assert forbidden.returncode == 2 and json.loads(forbidden.stderr)["rule"] == "role"


@pytest.fixture
def php_receiver(tmp_path: Path) -> Any:
    secret = sala.generate_webhook_secret()
    port = free_port()
    log = tmp_path / "events.jsonl"
    proc = subprocess.Popen([PHP or "php", "-S", f"127.0.0.1:{port}", str(PHP_DIR / "webhook_receiver.php")],
                            cwd=PHP_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "SALA_WEBHOOK_SECRET": secret, "SALA_WEBHOOK_LOG": str(log)})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield url, secret, log
    proc.terminate()
    proc.wait(10)


def events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def test_php_receiver_verifies_sala_webhooks(start_server: Any, tmp_path: Path, php_receiver: Any) -> None:
    url, secret, log = php_receiver
    w = setup_world(start_server, tmp_path, rooms=1)
    r = w.admin.post("/v1/webhooks", json={"url": url, "secret": secret})
    assert r.status_code == 201, r.text
    a = w.admin.post("/v1/requests", json=request_body(3)).json()
    assert w.admin.post(f"/v1/requests/{a['id']}/cancel").status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(events(log)) < 2:
        time.sleep(0.05)
    got = events(log)
    assert [e["type"] for e in got] == ["request.assigned", "request.cancelled"], got
    assert got[0]["data"]["request_id"] == a["id"]
    # The receiver logs an event before its answer reaches sala, which then marks the delivery.
    while True:
        delivered = w.admin.get(f"/v1/webhooks/{r.json()['id']}/deliveries").json()
        if "pending" not in {d["status"] for d in delivered} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert {d["status"] for d in delivered} == {"delivered"}, delivered
    assert {d["last_http_status"] for d in delivered} == {204}


def test_php_receiver_refuses_a_wrong_signature_and_a_stale_timestamp(php_receiver: Any) -> None:
    url, secret, log = php_receiver
    body = b'{"type":"request.assigned","data":{}}'
    now = int(time.time())

    def post(wid: str, ts: int, signature: str) -> httpx.Response:
        return httpx.post(url, content=body, timeout=10, headers={
            "content-type": "application/json", "webhook-id": wid, "webhook-timestamp": str(ts),
            "webhook-signature": signature})
    good = post("msg_good", now, sala.sign_webhook(secret, "msg_good", now, body))
    assert good.status_code == 204
    other = sala.generate_webhook_secret()
    wrong = post("msg_wrong", now, sala.sign_webhook(other, "msg_wrong", now, body))
    assert wrong.status_code == 401 and "no signature matches" in wrong.text
    stale = post("msg_stale", now - 3600, sala.sign_webhook(secret, "msg_stale", now - 3600, body))
    assert stale.status_code == 401 and "tolerance" in stale.text
    tampered = post("msg_good2", now, sala.sign_webhook(secret, "msg_other_id", now, body))
    assert tampered.status_code == 401
    missing = httpx.post(url, content=body, timeout=10)
    assert missing.status_code == 401
    assert [e["webhook_id"] for e in events(log)] == ["msg_good"]  # only the genuine one was taken
