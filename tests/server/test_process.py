"""The process: SIGTERM under load exits 0 and a restart has every
acknowledged request; a pending idempotency key left by a crash is resolved
at start-up; the lifecycle wakes when a command makes work due; tokens and
configuration from the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sala

from conftest import ORGANIZER_EMAIL, all_requests, make_token, request_body, sala_command, setup_world


def no_overlaps(items: list[dict[str, Any]]) -> None:
    by_room: dict[int, list[tuple[str, str]]] = {}
    for x in items:
        if x["room"] is not None:
            b = x["blocked"]
            by_room.setdefault(x["room"], []).append((dt.datetime.fromisoformat(b["begin"]),
                                                      dt.datetime.fromisoformat(b["end"])))
    for spans in by_room.values():
        spans.sort()
        for (b1, e1), (b2, _) in zip(spans, spans[1:]):
            assert e1 <= b2, (b1, e1, b2)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_signal_under_load_restart_keeps_everything_acknowledged(start_server: Any, tmp_path: Path,
                                                                 sig: int) -> None:
    """SIGTERM exits 0 after finishing what it has; after SIGKILL too, every
    acknowledged submit is in the store (it answered only after its commit)."""
    w = setup_world(start_server, tmp_path, rooms=3)
    acked: list[int] = []
    stop = threading.Event()

    def load(k: int) -> None:
        with w.server.client(w.tokens["platform"]) as c:
            i = 0
            while not stop.is_set():
                try:
                    r = c.post("/v1/requests", json=request_body(1000 * k + i))
                except Exception:
                    return  # the server went away: what was acknowledged counts
                if r.status_code == 201:
                    acked.append(r.json()["id"])
                i += 1
    threads = [threading.Thread(target=load, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    code = w.server.stop(sig)
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acked) >= 20
    if sig == signal.SIGTERM:
        assert code == 0, "\n".join(w.server.lines[-20:])
        events = [r["event"] for r in w.server.records()]
        assert events[-2:] == ["stopping", "stopped"]
    else:
        assert code == -signal.SIGKILL

    again = start_server(tmp_path / "sala.db")
    with again.client(w.tokens["admin"]) as c:
        items = all_requests(c)
    ids = [x["id"] for x in items]
    assert len(ids) == len(set(ids))
    assert set(acked) <= set(ids)
    no_overlaps(items)
    assert again.stop() == 0


def test_pending_idempotency_key_is_resolved_at_start(start_server: Any, tmp_path: Path) -> None:
    db = tmp_path / "sala.db"
    token = make_token(db, "platform")
    # A crash after the submit's commit and before its response was recorded:
    store = sala.SqliteStore.open(str(db))
    dp = sala.DurablePlatform(store)
    body_done = json.dumps(request_body(1)).encode()
    body_lost = json.dumps(request_body(2)).encode()
    b = request_body(1)
    start = dt.datetime.fromisoformat(b["start"]).replace(tzinfo=None)
    sub = dp.submit(sala.RequestInput(b["title"], start, 60, b["event_id"],
                                      sala.Organizer("Ana", ORGANIZER_EMAIL), zone="Europe/Madrid"))
    del dp, store
    conn = sqlite3.connect(db)
    tid = conn.execute("SELECT id FROM server_tokens").fetchone()[0]

    def fp(raw: bytes) -> str:
        return hashlib.sha256(b"POST /v1/requests\n" + raw).hexdigest()
    conn.execute("INSERT INTO server_idempotency(principal, key, fingerprint, state, expected_request,"
                 " expected_check, created) VALUES (?, 'done-before-crash', ?, 'pending', ?, ?, 0)",
                 (tid, fp(body_done), int(sub.id), f"{b['event_id']}\x1f{b['title']}"))
    # ... and one whose submit never committed.
    conn.execute("INSERT INTO server_idempotency(principal, key, fingerprint, state, expected_request,"
                 " expected_check, created) VALUES (?, 'lost-in-crash', ?, 'pending', ?, 'e2\x1fTaller 2', 0)",
                 (tid, fp(body_lost), int(sub.id) + 1))
    conn.commit()
    conn.close()

    s = start_server(db)
    h = {"content-type": "application/json"}
    with s.client(token) as c:
        r = c.post("/v1/requests", content=body_done, headers={**h, "Idempotency-Key": "done-before-crash"})
        assert r.status_code == 201 and r.json()["id"] == int(sub.id)
        assert r.headers["idempotent-replayed"] == "true"
        r = c.post("/v1/requests", content=body_lost, headers={**h, "Idempotency-Key": "lost-in-crash"})
        assert r.status_code == 201 and "idempotent-replayed" not in r.headers
        assert r.json()["id"] == int(sub.id) + 1
        assert len(c.get("/v1/requests").json()["items"]) == 2


def test_lifecycle_wakes_when_a_command_makes_work_due(start_server: Any, tmp_path: Path) -> None:
    config = """
[conferencing]
backend = "fake"
fake_users = [{user_id = "u1", email = "webinar01@symposium.events"}]
[mail]
backend = "fake"
sender = "sala@symposium.events"
admin = "admin@symposium.events"
"""
    db = tmp_path / "sala.db"
    admin = make_token(db, "admin")
    organizer = make_token(db, "organizer", ORGANIZER_EMAIL, "Ana")
    s = start_server(db, config)
    c = s.client(admin)
    users = c.get("/v1/accounts/users").json()
    assert [u["email"] for u in users] == ["webinar01@symposium.events"]
    link = c.post("/v1/accounts", json={"name": "symposium", "kind": "own"}).json()  # users from the backend
    room = link["new_rooms"][0]
    c.post(f"/v1/rooms/{room}/activate")
    c.put(f"/v1/rooms/{room}/mode", json={"mode": "automatic"})
    time.sleep(1)
    ticks_before = sum(1 for r in s.records() if r["event"] == "tick")
    # Starts in 20 minutes: its credentials (30 minutes ahead) are due at once.
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    r = s.client(organizer).post("/v1/requests", json=request_body(
        1, start=start.isoformat(), zone="UTC", organizer=None))
    assert r.status_code == 201 and r.json()["state"] == "assigned", r.text
    rid = r.json()["id"]
    # Constant load meanwhile: the lifecycle must not wait for an idle moment.
    busy = threading.Event()

    def reader() -> None:
        with s.client(admin) as rc:
            while not busy.is_set():
                rc.get("/v1/rooms")
    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in readers:
        t.start()
    deadline = time.monotonic() + 30
    cred = None
    try:
        while time.monotonic() < deadline:
            cred = s.client(organizer).get(f"/v1/requests/{rid}/credentials")
            if cred.status_code == 200:
                break
            time.sleep(0.2)
    finally:
        busy.set()
        for t in readers:
            t.join()
    assert cred is not None and cred.status_code == 200, cred.text if cred else ""
    assert cred.json()["join_url"] and cred.json()["user_name"] == "webinar01@symposium.events"
    assert sum(1 for r in s.records() if r["event"] == "tick") > ticks_before
    steps = [r for r in s.records() if r["event"] == "step" and r.get("request") == rid]
    assert any(x["outcome"] == "done" for x in steps)
    soon = c.get("/v1/about-to-start?lookahead=60").json()
    assert [x["request"] for x in soon] == [rid] and soon[0]["credentials_issued"] is True
    text = s.client().get("/metrics").text
    done = [ln for ln in text.splitlines() if ln.startswith('sala_lifecycle_steps_total{outcome="done"}')]
    assert done and float(done[0].split()[1]) >= 1
    assert c.get("/v1/requests/%d/recordings" % rid).json()["files"] == []
    assert c.post(f"/v1/requests/{rid}/credentials").status_code == 200
    assert s.stop() == 0


def test_tokens_from_the_command_line(tmp_path: Path, start_server: Any) -> None:
    db = tmp_path / "fresh.db"
    assert not db.exists()
    t1 = make_token(db, "admin", name="ops")
    t2 = make_token(db, "platform")
    assert t1 != t2 and db.exists()
    listed = subprocess.run(sala_command("token", "list", "--db", str(db)), capture_output=True, text=True)
    assert listed.returncode == 0
    rows = [json.loads(x) for x in listed.stdout.splitlines()]
    assert [r["role"] for r in rows] == ["admin", "platform"] and t1 not in listed.stdout
    conn = sqlite3.connect(db)
    digests = [x[0] for x in conn.execute("SELECT digest FROM server_tokens")]
    conn.close()
    assert hashlib.sha256(t1.encode()).hexdigest() in digests and t1 not in digests
    assert subprocess.run(sala_command("token", "revoke", "--db", str(db), str(rows[1]["id"]))).returncode == 0
    bad = subprocess.run(sala_command("token", "create", "--role", "organizer", "--db", str(db)),
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "--email" in bad.stderr
    s = start_server(db)
    assert s.client(t1).get("/v1/rooms").status_code == 200
    assert s.client(t2).get("/v1/rooms").status_code == 401


def test_bad_configuration_is_refused_without_echoing_secrets(tmp_path: Path) -> None:
    cfg = tmp_path / "sala.toml"
    cfg.write_text('[conferencing]\nclient_secret = "hunter2-very-secret"\n')
    r = subprocess.run(sala_command("serve", "--db", str(tmp_path / "x.db"), "--config", str(cfg)),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "client_secret" in r.stderr and "hunter2" not in r.stderr + r.stdout
    r = subprocess.run(sala_command("serve", "--listen", "127.0.0.1:0"), capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--db" in r.stderr
    cfg.write_text('[server]\nlisten = "nowhere"\n')
    r = subprocess.run(sala_command("serve", "--db", str(tmp_path / "x.db"), "--config", str(cfg)),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "listen" in r.stderr
    for bad in ("0", "10001", '"many"'):
        cfg.write_text(f'[server]\ngroup_commit_max = {bad}\n')
        r = subprocess.run(sala_command("serve", "--db", str(tmp_path / "x.db"), "--config", str(cfg)),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "group_commit_max" in r.stderr, (bad, r.stderr)
    assert not (tmp_path / "x.db").exists()


@pytest.mark.skipif(not os.environ.get("SALA_BUILD_DIR"), reason="needs SALA_BUILD_DIR (set by ctest)")
def test_installed_package_has_the_server(tmp_path: Path) -> None:
    env = dict(os.environ, DESTDIR=str(tmp_path / "root"))
    subprocess.run(["cmake", "--install", os.environ["SALA_BUILD_DIR"], "--component", "python", "--prefix",
                    "/usr/local"], check=True, env=env, capture_output=True, timeout=120)
    mains = sorted((tmp_path / "root").rglob("sala/server/__main__.py"))
    assert len(mains) == 1
    site = mains[0].parent.parent.parent
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(["/usr/bin/python3", "-m", "sala.server", "token", "create", "--role", "admin", "--db",
                          str(tmp_path / "i.db")], cwd="/", env=clean, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("sala_")


def test_two_instances_on_one_sqlite_file_read_each_others_commits(start_server: Any, tmp_path: Path) -> None:
    """Several processes on one store (issue 14): what one instance commits, the other reads at
    once (get, list, the queue), and checks it makes before a command (an organizer's own
    request) use it; make-room plans on what the other committed."""
    w = setup_world(start_server, tmp_path, rooms=1)
    a = w.server
    b = start_server(a.db)
    ob = b.client(w.tokens["organizer"])
    admin_b = b.client(w.tokens["admin"])
    first = w.as_("organizer").post("/v1/requests", json=request_body(1, organizer=None))
    assert first.status_code == 201, first.text
    rid = first.json()["id"]
    got = ob.get(f"/v1/requests/{rid}")
    assert got.status_code == 200 and got.json()["title"] == "Taller 1", got.text
    assert [x["id"] for x in all_requests(admin_b)] == [rid]
    # Same start and room: queued on A; B's queue shows it, and B's make-room moves nothing
    # (one room, both webinars at once): no plan, and nothing changed on either instance.
    second = w.admin.post("/v1/requests", json=request_body(1, title="Taller 1b", event_id="e1b"))
    assert second.status_code == 201 and second.json()["state"] == "queued", second.text
    qid = second.json()["id"]
    assert [x["id"] for x in admin_b.get("/v1/queue").json()["items"]] == [qid]
    plan = admin_b.post(f"/v1/requests/{qid}/make-room", json={"max_moves": 2})
    assert plan.status_code == 409 and plan.json()["field"] == "max_moves", plan.text
    # The organizer cancels on B what it submitted on A; A no longer lists it.
    assert ob.post(f"/v1/requests/{rid}/cancel").status_code == 200
    assert [x["id"] for x in all_requests(w.admin)] == [qid]
    gone = w.admin.get(f"/v1/requests/{rid}")
    assert gone.status_code == 200 and gone.json()["state"] == "cancelled", gone.text
