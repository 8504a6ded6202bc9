"""sala serve over PostgreSQL (label postgres; ctest runs it inside
tests/support/pg_cluster.py, which sets SALA_PG_CONNINFO): concurrent
submits booked once without overlaps, SIGTERM exits 0, a restart has
everything; tokens and idempotency keys in the --server-db file."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import day, request_body, setup_world
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
