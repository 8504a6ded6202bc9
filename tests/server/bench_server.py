#!/usr/bin/python3
"""HTTP submit throughput and latency of `sala serve` at several client
counts, next to the same submits in-process through DurablePlatform, so the
HTTP layer's cost is a ratio. Each run gets a fresh SQLite store.

  PYTHONPATH=build/bindings/python /usr/bin/python3 tests/server/bench_server.py \
      --requests 4000 --clients 1,16,200 [--full-sync]

The clients run in this process (threads, one keep-alive connection each) on
the same machine as the server, so the numbers are lower bounds."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sala  # noqa: E402

from conftest import LiveServer, make_token  # noqa: E402

ROOMS = 20


def body(i: int) -> dict[str, Any]:
    day = dt.date.today() + dt.timedelta(days=30 + i % 300)
    return {"title": f"Bench {i}", "start": f"{day.isoformat()}T{8 + (i // 300) % 12:02d}:00:00+00:00",
            "zone": "UTC", "duration": 45, "event_id": f"b{i}",
            "organizer": {"name": "Bench", "email": "bench@example.org"}}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def http_run(n: int, clients: int, full_sync: bool, work: Path, keys: bool = True,
             group_max: int = 64) -> dict[str, Any]:
    db = work / f"http-{clients}-{group_max}.db"
    token = make_token(db, "platform")
    admin = make_token(db, "admin")
    cfg = (f"[store]\nsqlite_full_sync = {'true' if full_sync else 'false'}\n"
           f"[server]\naccess_log = false\ngroup_commit_max = {group_max}\n")
    server = LiveServer(db, cfg)
    try:
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        users = [{"user_id": f"u{k}", "email": f"bench{k:02d}@example.org"} for k in range(ROOMS)]
        hdr = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
        c.request("POST", "/v1/accounts", json.dumps({"name": "bench", "kind": "own", "users": users}), hdr)
        rooms = json.loads(c.getresponse().read())["new_rooms"]
        for r in rooms:
            c.request("POST", f"/v1/rooms/{r}/activate", headers=hdr)
            c.getresponse().read()
            c.request("PUT", f"/v1/rooms/{r}/mode", json.dumps({"mode": "automatic"}), hdr)
            c.getresponse().read()
        lat: list[float] = []
        fails: list[int] = []
        lock = threading.Lock()
        ready = threading.Barrier(clients + 1)

        def client(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            payloads = [(i, json.dumps(body(i))) for i in range(k, n, clients)]
            mine: list[float] = []
            bad = 0
            ready.wait()
            for i, p in payloads:
                t0 = time.perf_counter()
                # As a platform would send them: a retry never makes a second request.
                conn.request("POST", "/v1/requests", p, {**h, "Idempotency-Key": f"bench-{i}"} if keys else h)
                resp = conn.getresponse()
                resp.read()
                mine.append(time.perf_counter() - t0)
                bad += resp.status != 201
            with lock:
                lat.extend(mine)
                fails.append(bad)
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        ready.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        c.request("GET", "/metrics")
        metrics = c.getresponse().read().decode()
    finally:
        server.stop()
    grouped = {ln.split()[0]: float(ln.split()[1]) for ln in metrics.splitlines()
               if ln.startswith(("sala_group_commit_commands_sum", "sala_group_commit_commands_count"))}
    in_groups = grouped.get("sala_group_commit_commands_sum", 0.0)
    commits = n - in_groups + grouped.get("sala_group_commit_commands_count", 0.0)
    return {"mode": "http", "clients": clients, "requests": n, "errors": sum(fails),
            "per_second": n / wall, "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
            "submits_per_commit": n / commits if commits else 1.0, "group_max": group_max}


def inprocess_run(n: int, full_sync: bool, work: Path) -> dict[str, Any]:
    store = sala.SqliteStore.open(str(work / "inproc.db"), create=True, full_sync=full_sync)
    dp = sala.DurablePlatform(store)
    users = [sala.AccountUser(f"u{k}", f"bench{k:02d}@example.org") for k in range(ROOMS)]
    for r in dp.link_account("bench", sala.PoolKind.OWN, users).new_rooms:
        dp.activate(r)
        dp.set_mode(r, sala.RoomMode.AUTOMATIC)
    inputs = []
    for i in range(n):
        b = body(i)
        inputs.append(sala.RequestInput(b["title"], dt.datetime.fromisoformat(b["start"]), b["duration"],
                                        b["event_id"], sala.Organizer("Bench", "bench@example.org"), zone="UTC"))
    lat = []
    t0 = time.perf_counter()
    for inp in inputs:
        s = time.perf_counter()
        dp.submit(inp)
        lat.append(time.perf_counter() - s)
    wall = time.perf_counter() - t0
    return {"mode": "in-process", "clients": 1, "requests": n, "errors": 0, "per_second": n / wall,
            "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000, help="submits per run")
    ap.add_argument("--clients", default="1,16,200", help="comma-separated client counts")
    ap.add_argument("--full-sync", action="store_true", help="SQLite synchronous=FULL (default NORMAL)")
    ap.add_argument("--group-max", default="64", help="comma-separated [server] group_commit_max values "
                                                      "(1: every submit commits alone)")
    ap.add_argument("--no-keys", action="store_true", help="submits without Idempotency-Key")
    ap.add_argument("--out", help="folder for results.json")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = [inprocess_run(a.requests, a.full_sync, work)]
        for g in [int(x) for x in a.group_max.split(",")]:
            for c in [int(x) for x in a.clients.split(",")]:
                rows.append(http_run(a.requests, c, a.full_sync, work, not a.no_keys, g))
    base = rows[0]["per_second"]
    print(f"SQLite synchronous={'FULL' if a.full_sync else 'NORMAL'}, {a.requests} submits per run, "
          f"{ROOMS} automatic rooms, load average {os.getloadavg()[0]:.1f}")
    print("| mode | group max | clients | submits/s | p50 ms | p99 ms | submits per commit | in-process / this "
          "| errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r.get('group_max', '-')} | {r['clients']} | {r['per_second']:.0f} "
              f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r.get('submits_per_commit', 1.0):.1f} "
              f"| {base / r['per_second']:.1f}x | {r['errors']} |")
    if a.out:
        Path(a.out).mkdir(parents=True, exist_ok=True)
        (Path(a.out) / "results.json").write_text(json.dumps(rows, indent=1))
    bad = sum(r["errors"] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
