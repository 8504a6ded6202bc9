"""A live `sala serve` on a free loopback port, started by the test.

SALA_BIN (set by ctest) is the `sala` program: the server is started as
`sala serve`, so the C++ command's exec of the interpreter is tested too;
without it, `python3 -m sala.server` runs directly."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

import httpx
import pytest


def sala_command(*args: str) -> list[str]:
    exe = os.environ.get("SALA_BIN")
    if exe:
        return [exe, *args]
    return [sys.executable, "-m", "sala.server", *args]


def make_token(db: Path, role: str, email: str = "", name: str = "", pg: bool = False) -> str:
    cmd = sala_command("token", "create", "--role", role, "--server-db" if pg else "--db", str(db))
    if email:
        cmd += ["--email", email]
    if name:
        cmd += ["--name", name]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    tok = out.stdout.strip()
    assert tok.startswith("sala_") and "\n" not in tok
    return tok


class LiveServer:
    def __init__(self, db: Path, config: Optional[str] = None, env: Optional[dict[str, str]] = None,
                 pg: bool = False) -> None:
        self.db = db
        self.lines: list[str] = []
        self._q: queue.Queue[str] = queue.Queue()
        # pg: the store is PostgreSQL (SALA_PG_CONNINFO), `db` the server's own file.
        cmd = sala_command("serve", "--server-db" if pg else "--db", str(db), "--listen", "127.0.0.1:0")
        if config is not None:
            cfg = db.parent / f"{db.stem}.toml"
            cfg.write_text(config)
            cmd += ["--config", str(cfg)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, **(env or {})})
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        self.port = 0
        while time.monotonic() < deadline:
            try:
                line = self._q.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            rec = self._parse(line)
            if rec and rec.get("event") == "listening":
                self.port = rec["port"]
                break
        if not self.port:
            self.proc.kill()
            raise RuntimeError("server did not start:\n" + "\n".join(self.lines))
        self.url = f"http://127.0.0.1:{self.port}"

    @staticmethod
    def _parse(line: str) -> Optional[dict[str, Any]]:
        try:
            rec = json.loads(line)
        except ValueError:
            return None
        return rec if isinstance(rec, dict) else None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self._q.put(line)

    def records(self) -> list[dict[str, Any]]:
        return [r for r in (self._parse(x) for x in list(self.lines)) if r]

    def client(self, token: Optional[str] = None, **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


@pytest.fixture
def start_server(tmp_path: Path):
    started: list[LiveServer] = []

    def start(db: Optional[Path] = None, config: Optional[str] = None, **kw: Any) -> LiveServer:
        # kw: env=, pg=
        s = LiveServer(db or tmp_path / "sala.db", config, **kw)
        started.append(s)
        return s
    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait(30)


class World:
    """A server with tokens of every role, one linked account with automatic rooms."""

    def __init__(self, server: LiveServer, tokens: dict[str, str]) -> None:
        self.server = server
        self.tokens = tokens
        self.admin = server.client(tokens["admin"])

    def as_(self, role: str) -> httpx.Client:
        return self.server.client(self.tokens.get(role))


ORGANIZER_EMAIL = "ana@example.org"
OTHER_EMAIL = "otro@example.org"


# Dates relative to today, so the tests keep working as time passes (sala refuses
# the past and more than max_days_in_advance ahead).
MADRID = ZoneInfo("Europe/Madrid")
BASE = (dt.date.today() + dt.timedelta(days=40)).replace(day=1)


def day(n: int, hour: int = 9, minute: int = 0) -> str:
    """RFC 3339 with Madrid's offset, n days after BASE."""
    d = BASE + dt.timedelta(days=n)
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=MADRID).isoformat()


def utc_day(n: int) -> str:
    return (BASE + dt.timedelta(days=n)).isoformat() + "T00:00:00Z"


def _next_last_sunday(month: int) -> dt.date:
    today = dt.date.today()
    for year in (today.year, today.year + 1):
        d = dt.date(year, month, 31)
        d -= dt.timedelta(days=(d.weekday() + 1) % 7)
        if d > today + dt.timedelta(days=1):
            return d
    raise AssertionError("unreachable")


def dst_gap() -> str:
    """02:30 on Madrid's next spring-forward night (does not exist), no offset."""
    return _next_last_sunday(3).isoformat() + "T02:30:00"


def dst_overlap() -> str:
    """02:30 on Madrid's next fall-back night (happens twice), no offset."""
    return _next_last_sunday(10).isoformat() + "T02:30:00"


def request_body(i: int = 0, **over: Any) -> dict[str, Any]:
    body = {"title": f"Taller {i}", "start": day(i % 27), "zone": "Europe/Madrid",
            "duration": 60, "event_id": f"e{i}", "organizer": {"name": "Ana", "email": ORGANIZER_EMAIL}}
    body.update(over)
    return body


def setup_world(start_server: Any, tmp_path: Path, rooms: int = 2, config: Optional[str] = None,
                pg: bool = False) -> World:
    db = tmp_path / "sala.db"
    tokens = {"admin": make_token(db, "admin", pg=pg), "platform": make_token(db, "platform", pg=pg),
              "organizer": make_token(db, "organizer", ORGANIZER_EMAIL, "Ana", pg=pg),
              "other": make_token(db, "organizer", OTHER_EMAIL, "Otro", pg=pg)}
    server = start_server(db, config, pg=pg) if pg else start_server(db, config)
    w = World(server, tokens)
    users = [{"user_id": f"u{k}", "email": f"webinar{k:02d}@symposium.events"} for k in range(rooms)]
    r = w.admin.post("/v1/accounts", json={"name": "symposium", "kind": "own", "users": users})
    assert r.status_code == 200, r.text
    for room in r.json()["new_rooms"]:
        assert w.admin.post(f"/v1/rooms/{room}/activate").status_code == 200
        assert w.admin.put(f"/v1/rooms/{room}/mode", json={"mode": "automatic"}).status_code == 200
    return w


def module_world(tmp_path_factory: Any, name: str, config: str, rooms: int) -> Any:
    """A World for a whole test module (a generator for a module-scoped fixture)."""
    started: list[LiveServer] = []

    def start(db: Any, cfg: Any = None) -> LiveServer:
        s = LiveServer(db, cfg)
        started.append(s)
        return s
    try:
        yield setup_world(start, tmp_path_factory.mktemp(name), rooms=rooms, config=config)
    finally:  # also when the setup failed half-way: no server outlives its tests
        for s in started:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait(30)


def all_requests(c: httpx.Client) -> list[dict[str, Any]]:
    """Every request, page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = c.get("/v1/requests?limit=500" + (f"&cursor={cursor}" if cursor else "")).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items
