"""sala serve over PostgreSQL (label postgres; ctest runs it inside
tests/support/pg_cluster.py, which sets SALA_PG_CONNINFO): concurrent
submits booked once without overlaps, SIGTERM exits 0, a restart has
everything; tokens and idempotency keys in the --server-db file."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ORGANIZER_EMAIL, day, make_token, request_body, setup_world
from test_process import no_overlaps

pytestmark = pytest.mark.skipif(not os.environ.get("SALA_PG_CONNINFO"), reason="needs SALA_PG_CONNINFO")


def test_postgres_store_serves_and_restarts(start_server: Any, tmp_path: Path) -> None:
    w = setup_world(start_server, tmp_path, rooms=3, pg=True)
    got: list[dict[str, Any]] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        with w.server.client(w.tokens["platform"]) as c:
            for i in range(k, 60, 6):
                r = c.post("/v1/requests", json=request_body(i, start=day(i % 3, hour=9 + i % 4)),
                           headers={"Idempotency-Key": f"pg-{i}"})
                assert r.status_code == 201, r.text
                with lock:
                    got.append(r.json())
    threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({x["id"] for x in got}) == 60
    again = w.admin.post("/v1/requests", json=request_body(0, start=day(0, hour=9)),
                         headers={"Idempotency-Key": "pg-0"}, )
    assert again.status_code == 201  # the admin's key space is its own: a new request
    assert w.server.stop() == 0
    s2 = start_server(tmp_path / "sala.db", pg=True)
    items = s2.client(w.tokens["admin"]).get("/v1/requests?limit=500").json()["items"]
    assert {x["id"] for x in got} <= {x["id"] for x in items} and len(items) == 61
    no_overlaps(items)
    r = s2.client(w.tokens["platform"]).post("/v1/requests", json=request_body(5, start=day(5 % 3, hour=9 + 5 % 4)),
                                             headers={"Idempotency-Key": "pg-5"})
    assert r.headers.get("idempotent-replayed") == "true"
    assert s2.stop() == 0


TWO_CONFIG = """
[store]
pg_schema = "two"
[conferencing]
backend = "fake"
fake_users = [{user_id = "u1", email = "webinar01@symposium.events"},
              {user_id = "u2", email = "webinar02@symposium.events"}]
[mail]
backend = "fake"
sender = "sala@symposium.events"
[lifecycle]
ticker_lease_seconds = 3
"""


KEY = "5a" * 32


def _ticker_events(s: Any) -> list[bool]:
    return [r["held"] for r in s.records() if r.get("event") == "ticker"]


def _done_steps(s: Any) -> list[tuple[int, str]]:
    return [(r.get("request"), r["step"]) for r in s.records() if r.get("event") == "step" and r["outcome"] == "done"]


def _wait(pred: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_two_instances_one_ticker_and_takeover_after_kill(start_server: Any, tmp_path: Path) -> None:
    """Two instances on one PostgreSQL store (issue 14): both serve commands, exactly one holds the
    ticker lease and runs steps, also for what the other committed; after kill -9 of the holder the
    other takes over within 30 s, and no step is done twice (R16)."""
    db = tmp_path / "server.db"  # the two instances share the server's own file (tokens)
    admin = make_token(db, "admin", pg=True)
    organizer = make_token(db, "organizer", ORGANIZER_EMAIL, "Ana", pg=True)
    env = {"SALA_CREDENTIALS_KEY": KEY}  # the same key: either instance opens the other's credentials
    a = start_server(db, TWO_CONFIG, pg=True, env=env)
    assert _wait(lambda: _ticker_events(a) == [True], 30), a.lines[-20:]
    b = start_server(db, TWO_CONFIG, pg=True, env=env)
    assert _wait(lambda: _ticker_events(b) == [False], 30), b.lines[-20:]
    ca, cb = a.client(admin), b.client(admin)
    link = ca.post("/v1/accounts", json={"name": "symposium", "kind": "own"})
    assert link.status_code == 200, link.text
    for room in link.json()["new_rooms"]:
        assert cb.post(f"/v1/rooms/{room}/activate").status_code == 200  # the other instance
        assert ca.put(f"/v1/rooms/{room}/mode", json={"mode": "automatic"}).status_code == 200

    def soon(i: int, via: Any) -> int:
        # Starts in 20 minutes: its credentials (30 minutes ahead) are due at once.
        start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20 + i)).replace(second=0, microsecond=0)
        r = via.client(organizer).post("/v1/requests", json=request_body(i, start=start.isoformat(), zone="UTC",
                                                                          organizer=None))
        assert r.status_code == 201 and r.json()["state"] == "assigned", r.text
        return int(r.json()["id"])

    # Submitted through the instance that does not tick: the ticker's heartbeat takes it in.
    first = soon(1, b)
    assert _wait(lambda: b.client(organizer).get(f"/v1/requests/{first}/credentials").status_code == 200, 30), \
        "\n".join(["A:"] + a.lines[-15:] + ["B:"] + b.lines[-15:])
    assert (first, "mail_credentials") in _done_steps(a) and not _done_steps(b)
    assert _ticker_events(b) == [False]
    metrics = {s: s.client().get("/metrics").text for s in (a, b)}
    assert "sala_lifecycle_ticker 1.0" in metrics[a] and "sala_lifecycle_ticker 0.0" in metrics[b]

    a.stop(signal.SIGKILL)
    killed = time.monotonic()
    second = soon(2, b)
    assert _wait(lambda: _ticker_events(b) == [False, True], 30), b.lines[-20:]
    assert time.monotonic() - killed <= 30
    assert _wait(lambda: b.client(organizer).get(f"/v1/requests/{second}/credentials").status_code == 200, 30)
    done = _done_steps(a) + _done_steps(b)
    assert (second, "mail_credentials") in _done_steps(b)
    assert len(done) == len(set(done)), sorted(done)  # no step done by both, none twice
    assert not any(KEY in line for line in a.lines + b.lines)
    assert b.stop() == 0
