"""Webhooks out to the host platform (docs/server.md, "Webhooks out").

The library commits one `webhook` effect per event (request.assigned, ...,
credentials.issued, report.ready, problem.opened/closed) in the transaction of
the command or lifecycle step that caused it. The worker's outbox dispatcher
hands each effect to `record()`, which writes one delivery row per registered
endpoint in the server's own tables (INSERT OR IGNORE on (endpoint,
webhook-id): an effect dispatched twice after a crash is still one delivery).
Sender threads, not the worker, POST the deliveries: a slow receiver delays
only its own deliveries. Each attempt is signed afresh (Standard Webhooks:
webhook-id = the effect's idempotency key, the same on every retry;
webhook-timestamp = the attempt's time), retried with exponential backoff up to
`webhook_max_attempts`, and every attempt's outcome is kept for the admin.

Secrets: the server must sign, so it keeps each endpoint's secret itself (a
hash would not do), in the server's tables of the store file, readable only by
the service user; never logged, returned only by the call that registered it."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import sqlite3
import threading
import time
import urllib.parse
from typing import Any, Optional

import sala
from fastapi import Request
from pydantic import Field
from starlette.responses import Response

from . import problems
from .app import ADMIN, Server, _json, _rid
from .models import In
from .worker import Context

ADMIN_ONLY = frozenset({ADMIN})
MAX_URL = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS server_webhook_endpoints(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  deleted INTEGER);
CREATE TABLE IF NOT EXISTS server_webhook_deliveries(
  id INTEGER PRIMARY KEY,
  endpoint INTEGER NOT NULL REFERENCES server_webhook_endpoints(id),
  webhook_id TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt REAL,
  last_status INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  delivered INTEGER,
  UNIQUE (endpoint, webhook_id));
CREATE INDEX IF NOT EXISTS server_webhook_due ON server_webhook_deliveries(status, next_attempt);
"""


class EndpointIn(In):
    url: str = Field(..., min_length=1, max_length=MAX_URL, description="http(s) URL that receives the POSTs")
    secret: Optional[str] = Field(None, description="'whsec_' + base64 of 24-64 bytes; omitted: one is "
                                  "generated. Returned only in this response.")
    description: str = Field("", max_length=200)


def url_problem(url: str) -> str:
    """Why `url` cannot receive webhooks ('' when it can)."""
    try:
        u = urllib.parse.urlsplit(url)
    except ValueError:
        return "not a URL"
    if u.scheme not in ("http", "https"):
        return "must be an http or https URL"
    if not u.hostname:
        return "must name a host"
    if u.username is not None or u.password is not None:
        return "must not carry credentials (user:password@): use the signing secret"
    if u.fragment:
        return "must not have a #fragment"
    if any(c.isspace() or ord(c) < 0x21 for c in url):
        return "must not contain spaces or control characters"
    try:
        u.port
    except ValueError:
        return "has an invalid port"
    return ""


def _db(path: str) -> sqlite3.Connection:
    c = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    c.execute("PRAGMA busy_timeout = 30000")
    return c


def _endpoint_json(row: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": row[0], "url": row[1], "description": row[2], "created": _iso(row[3])}


def _iso(t: Optional[float]) -> Optional[str]:
    if t is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Webhooks:
    """The endpoints' table, the outbox handler and the sender threads."""

    def __init__(self, server: Server) -> None:
        self.cfg = server.cfg
        self.log = server.log
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._inflight: set[int] = set()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._pool: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._enabled = False

    # ---- on the worker thread -----------------------------------------------------------------------
    def open(self, ctx: Context) -> None:
        if ctx.db is None:
            return  # no server tables: no endpoints (docs/server.md)
        ctx.db.conn.executescript(_SCHEMA)
        if self.cfg.webhooks_always or self._count(ctx) > 0:
            self.enable(ctx)
        self._pool = concurrent.futures.ThreadPoolExecutor(max(1, self.cfg.webhook_senders),
                                                           thread_name_prefix="sala-webhook")
        self._thread = threading.Thread(target=self._send_loop, name="sala-webhooks", daemon=True)
        self._thread.start()

    def enable(self, ctx: Context) -> None:
        """Effects are planned from now on (without endpoints nothing is planned: no outbox rows)."""
        if self._enabled:
            return
        ctx.dp.enable_webhooks()
        if ctx.life is not None:
            ctx.life.enable_webhooks()
        self._enabled = True

    def _count(self, ctx: Context) -> int:
        assert ctx.db is not None
        return int(ctx.db.conn.execute(
            "SELECT count(*) FROM server_webhook_endpoints WHERE deleted IS NULL").fetchone()[0])

    def record(self, ctx: Context, effect: Any) -> None:
        """The outbox handler: one delivery per endpoint, once (the dispatcher may hand an
        effect over again after a crash; the unique key keeps it one delivery)."""
        if ctx.db is None:
            return
        body = json.loads(effect.payload)
        now = time.time()
        with ctx.db.conn:
            ctx.db.conn.execute("BEGIN IMMEDIATE")
            ctx.db.conn.execute(
                "INSERT OR IGNORE INTO server_webhook_deliveries(endpoint, webhook_id, type, payload, status,"
                " next_attempt, created) SELECT id, ?, ?, ?, 'pending', ?, ? FROM server_webhook_endpoints"
                " WHERE deleted IS NULL", (effect.idempotency_key, body.get("type", ""), effect.payload, now,
                                           int(now)))
        self._wake.set()

    # ---- the sender threads ---------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _send_loop(self) -> None:
        path = self.cfg.server_db
        assert path is not None
        db = _db(path)
        try:
            while not self._stop.is_set():
                wait = 30.0
                try:
                    wait = self._send_due(db)
                except Exception as e:  # the loop must survive a busy or broken file
                    self.log.error("backend_error", where="webhooks", kind=type(e).__name__, detail=str(e))
                self._wake.wait(max(0.05, wait))
                self._wake.clear()
        finally:
            db.close()

    def _send_due(self, db: sqlite3.Connection) -> float:
        now = time.time()
        with self._lock:
            busy = set(self._inflight)
        rows = db.execute(
            "SELECT d.id, d.webhook_id, d.payload, d.attempts, e.url, e.secret, d.type, e.id"
            " FROM server_webhook_deliveries d JOIN server_webhook_endpoints e ON e.id = d.endpoint"
            " WHERE d.status = 'pending' AND d.next_attempt <= ? AND e.deleted IS NULL"
            " ORDER BY d.next_attempt, d.id LIMIT 200", (now,)).fetchall()
        assert self._pool is not None
        for row in rows:
            if row[0] in busy:
                continue
            with self._lock:
                self._inflight.add(row[0])
            self._pool.submit(self._attempt, row)
        nxt = db.execute("SELECT min(next_attempt) FROM server_webhook_deliveries WHERE status = 'pending'"
                         ).fetchone()[0]
        return 30.0 if nxt is None else min(30.0, max(0.0, nxt - time.time()))

    def _attempt(self, row: tuple[Any, ...]) -> None:
        did, wid, payload, attempts, url, secret, kind, endpoint = row
        db = _db(self.cfg.server_db or "")
        try:
            t0 = time.perf_counter()
            status, error = self._post(url, secret, wid, payload)
            attempts += 1
            now = time.time()
            if status is not None and 200 <= status < 300:
                db.execute("UPDATE server_webhook_deliveries SET status = 'delivered', attempts = ?, last_status = ?,"
                           " last_error = '', next_attempt = NULL, delivered = ? WHERE id = ?",
                           (attempts, status, int(now), did))
                outcome = "delivered"
            elif attempts >= self.cfg.webhook_max_attempts:
                db.execute("UPDATE server_webhook_deliveries SET status = 'failed', attempts = ?, last_status = ?,"
                           " last_error = ?, next_attempt = NULL WHERE id = ?", (attempts, status, error, did))
                outcome = "failed"
            else:
                delay = min(self.cfg.webhook_retry_base_seconds * 2 ** (attempts - 1), 6 * 3600)
                db.execute("UPDATE server_webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?,"
                           " next_attempt = ? WHERE id = ?", (attempts, status, error, now + delay, did))
                outcome = "retrying"
            self.log.info("webhook", delivery=did, endpoint=endpoint, type=kind, webhook_id=wid, outcome=outcome,
                          http_status=status, attempt=attempts, error=error or None,
                          latency_ms=round((time.perf_counter() - t0) * 1000, 2))
        except Exception as e:
            self.log.error("backend_error", where="webhooks", kind=type(e).__name__, detail=str(e))
        finally:
            db.close()
            with self._lock:
                self._inflight.discard(did)
            self._wake.set()

    def _post(self, url: str, secret: str, wid: str, payload: str) -> tuple[Optional[int], str]:
        """(HTTP status or None, error text without secrets)."""
        u = urllib.parse.urlsplit(url)
        ts = int(time.time())
        body = payload.encode()
        headers = {"content-type": "application/json", "user-agent": "sala-webhooks",
                   "webhook-id": wid, "webhook-timestamp": str(ts),
                   "webhook-signature": sala.sign_webhook(secret, wid, ts, body)}
        conn_cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        conn = conn_cls(u.hostname or "", u.port, timeout=self.cfg.webhook_timeout_seconds)
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        try:
            conn.request("POST", target, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read(65536)
            return resp.status, "" if 200 <= resp.status < 300 else f"HTTP {resp.status}"
        except (OSError, http.client.HTTPException) as e:
            return None, f"{type(e).__name__}: {e}"[:300]
        finally:
            conn.close()


def install(s: Server) -> Webhooks:
    """Routes, the outbox handler and the worker's start-up hook; call before start()."""
    w = Webhooks(s)
    worker = s.worker
    previous = worker._on_open

    def on_open(ctx: Context) -> None:
        if previous is not None:
            previous(ctx)
        w.open(ctx)
    worker._on_open = on_open
    worker.dispatch_handlers[sala.WEBHOOK_EFFECT_KIND] = w.record
    _routes(s, w)
    return w


def _need_db(ctx: Context) -> Any:
    if ctx.db is None:
        raise problems.ApiProblem(501, "not-supported", "Webhooks need the server's tables",
                                  rule="server-db-configured")
    return ctx.db


def _endpoint(ctx: Context, wid: int) -> tuple[Any, ...]:
    row = _need_db(ctx).conn.execute(
        "SELECT id, url, description, created FROM server_webhook_endpoints WHERE id = ? AND deleted IS NULL",
        (wid,)).fetchone()
    if row is None:
        raise problems.not_found("webhook", f"webhook endpoint {wid} does not exist")
    return row


def _routes(s: Server, w: Webhooks) -> None:
    route = s.route

    @route("POST", "/v1/webhooks", ADMIN_ONLY, "Register a webhook endpoint (the secret is shown once)",
           status=201)
    async def create_webhook(body: EndpointIn, request: Request) -> Response:
        why = url_problem(body.url)
        if why:
            raise problems.invalid("url", "webhook-url", f"url: {why}")
        if body.secret is not None:
            why = sala.webhook_secret_problem(body.secret)
            if why:
                raise problems.invalid("secret", "standard-webhooks-secret", f"secret: {why}")
        secret = body.secret if body.secret is not None else sala.generate_webhook_secret()

        def job(ctx: Context) -> Any:
            db = _need_db(ctx)
            cur = db.conn.execute("INSERT INTO server_webhook_endpoints(url, secret, description, created)"
                                  " VALUES (?, ?, ?, ?)", (body.url, secret, body.description, int(time.time())))
            w.enable(ctx)
            out = _endpoint_json(_endpoint(ctx, int(cur.lastrowid or 0)))
            out["secret"] = secret
            return out
        return _json(201, await s.run(request, "create_webhook", job), _rid(request))

    @route("GET", "/v1/webhooks", ADMIN_ONLY, "Registered webhook endpoints (never their secrets)")
    async def list_webhooks(request: Request) -> Response:
        def job(ctx: Context) -> Any:
            rows = _need_db(ctx).conn.execute(
                "SELECT e.id, e.url, e.description, e.created,"
                " sum(d.status = 'pending'), sum(d.status = 'delivered'), sum(d.status = 'failed')"
                " FROM server_webhook_endpoints e LEFT JOIN server_webhook_deliveries d ON d.endpoint = e.id"
                " WHERE e.deleted IS NULL GROUP BY e.id ORDER BY e.id").fetchall()
            return [dict(_endpoint_json(r), deliveries={"pending": r[4] or 0, "delivered": r[5] or 0,
                                                        "failed": r[6] or 0}) for r in rows]
        return _json(200, await s.run(request, "list_webhooks", job), _rid(request))

    @route("DELETE", "/v1/webhooks/{wid}", ADMIN_ONLY, "Delete a webhook endpoint (pending deliveries stop)")
    async def delete_webhook(wid: int, request: Request) -> Response:
        def job(ctx: Context) -> Any:
            _endpoint(ctx, wid)
            db = _need_db(ctx)
            db.conn.execute("UPDATE server_webhook_endpoints SET deleted = ? WHERE id = ?", (int(time.time()), wid))
            db.conn.execute("UPDATE server_webhook_deliveries SET status = 'failed', next_attempt = NULL,"
                            " last_error = 'endpoint deleted' WHERE endpoint = ? AND status = 'pending'", (wid,))
            return {"id": wid, "deleted": True}
        return _json(200, await s.run(request, "delete_webhook", job), _rid(request))

    @route("GET", "/v1/webhooks/{wid}/deliveries", ADMIN_ONLY, "An endpoint's deliveries, newest first")
    async def deliveries(wid: int, request: Request, status: Optional[str] = None,
                         limit: int = 100) -> Response:
        if status is not None and status not in ("pending", "delivered", "failed"):
            raise problems.invalid("status", "one-of", "status: one of pending, delivered, failed")
        if not 1 <= limit <= 1000:
            raise problems.invalid("limit", "range", "limit: 1 to 1000")

        def job(ctx: Context) -> Any:
            _endpoint(ctx, wid)
            q = ("SELECT id, webhook_id, type, status, attempts, last_status, last_error, next_attempt, created,"
                 " delivered FROM server_webhook_deliveries WHERE endpoint = ?")
            args: list[Any] = [wid]
            if status is not None:
                q += " AND status = ?"
                args.append(status)
            rows = _need_db(ctx).conn.execute(q + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
            return [{"id": r[0], "webhook_id": r[1], "type": r[2], "status": r[3], "attempts": r[4],
                     "last_http_status": r[5], "last_error": r[6], "next_attempt": _iso(r[7]),
                     "created": _iso(r[8]), "delivered": _iso(r[9])} for r in rows]
        return _json(200, await s.run(request, "webhook_deliveries", job), _rid(request))

    @route("POST", "/v1/webhooks/{wid}/deliveries/{did}/redeliver", ADMIN_ONLY,
           "Send a delivery again now (a new round of attempts, same webhook-id)")
    async def redeliver(wid: int, did: int, request: Request) -> Response:
        def job(ctx: Context) -> Any:
            _endpoint(ctx, wid)
            db = _need_db(ctx)
            cur = db.conn.execute("UPDATE server_webhook_deliveries SET status = 'pending', attempts = 0,"
                                  " next_attempt = ? WHERE id = ? AND endpoint = ?", (time.time(), did, wid))
            if cur.rowcount != 1:
                raise problems.not_found("delivery", f"delivery {did} of webhook endpoint {wid} does not exist")
            w._wake.set()
            return {"id": did, "status": "pending"}
        return _json(200, await s.run(request, "redeliver_webhook", job), _rid(request))


__all__ = ["install", "url_problem", "Webhooks", "EndpointIn"]
