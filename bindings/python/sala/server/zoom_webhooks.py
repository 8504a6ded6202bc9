"""Zoom webhooks in: POST /v1/zoom/webhook (docs/server.md, "Zoom webhooks").

No bearer token: the signature is the authentication. The event loop checks
x-zm-signature with the library (sala.verify_zoom_signature, constant time,
timestamp within 5 minutes), parses the body (sala.parse_zoom_event), writes
the delivery to the inbox table (its own connection to the server's SQLite
file, so the 200 never waits for the worker, whose tick may be in a backend
call) and answers. The worker then applies the inbox's pending rows through
the durable lifecycle (DurableLifecycle.note_*), so every instance sees the
effect. A delivery Zoom repeats has the same key and is acknowledged again
without a second effect.

Never logged: the secret token, the signature, the download token, the body."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any, Optional

import sala
from fastapi import Request
from prometheus_client import Counter
from starlette.responses import Response

from . import problems
from .app import ADMIN, Server, _json, _rid
from .serverdb import ServerDB
from .worker import Context

UTC = dt.timezone.utc
RETRY_SECONDS = 5.0  # a note refused as busy (another process holds the request's claim)
MAX_ATTEMPTS = 60    # then the row is closed as gave_up (logged as an error)
_KINDS_ACTED_ON = ("webinar_started", "webinar_ended", "recording_completed", "app_deauthorized")


def _iso(t: Optional[dt.datetime]) -> Optional[str]:
    return t.astimezone(UTC).isoformat() if t is not None else None


def action_of(ev: Any) -> dict[str, Any]:
    """What the worker needs to apply the event, without any secret (no download token)."""
    when = {"webinar_started": ev.start_time, "webinar_ended": ev.end_time,
            "app_deauthorized": ev.end_time}.get(ev.kind.value) or ev.event_ts
    a: dict[str, Any] = {"kind": ev.kind.value, "event": ev.name, "account_id": ev.account_id,
                         "webinar_id": ev.webinar_id, "when": _iso(when)}
    if ev.kind.value == "recording_completed":
        a["files"] = [{"id": f.id, "file_type": f.file_type, "download_url": f.download_url,
                       "size_bytes": f.size_bytes} for f in ev.recordings]
    return a


class ZoomWebhooks:
    def __init__(self, s: Server) -> None:
        self.s = s
        self.counter = Counter("sala_zoom_webhooks_total", "Zoom webhook deliveries by event and outcome",
                               ["event", "outcome"], registry=s.metrics.registry)
        self._db: Optional[ServerDB] = None  # the event loop's own connection (inbox writes)
        self._db_lock = threading.Lock()
        self._retry_timer: Optional[threading.Timer] = None

    # ---- the event loop: verify, queue, acknowledge ------------------------------------------
    async def receive(self, request: Request) -> Response:
        t0 = time.perf_counter()
        rid = _rid(request)
        event, outcome = "unverified", "refused"
        try:
            secret = self.s.cfg.zoom_webhook_secret
            if not secret or not hasattr(sala, "verify_zoom_signature"):
                outcome = "not_configured"
                raise problems.ApiProblem(503, "zoom-webhooks-off", "Zoom webhooks are not configured",
                                          "set SALA_ZOOM_WEBHOOK_SECRET (the app's Secret Token)",
                                          rule="zoom-webhook-secret")
            raw = await request.body()
            check = sala.verify_zoom_signature(secret, request.headers.get("x-zm-signature", ""),
                                               request.headers.get("x-zm-request-timestamp", ""), raw,
                                               time.time())
            if not check:
                raise problems.ApiProblem(401, "zoom-signature", "Zoom webhook signature refused",
                                          f"{check.field}: {check.reason}", field=check.field,
                                          rule="zoom-signature")
            try:
                ev = sala.parse_zoom_event(raw)
            except sala.InvalidArgumentError as e:
                outcome = "invalid"
                raise problems.invalid(e.field, "zoom-event", str(e)) from None
            event = ev.name if ev.kind.value != "other" else "other"
            if ev.kind.value == "url_validation":
                outcome = "invalid"  # until the reply is made (a token that is not Zoom's is refused)
                reply = sala.zoom_url_validation_reply(secret, ev.plain_token)
                outcome = "validated"
                return Response(reply, status_code=200, media_type="application/json",
                                headers={"X-Request-Id": rid})
            inserted = self._add(ev.delivery_key, ev.name, json.dumps(action_of(ev)))
            outcome = "queued" if inserted else "duplicate"
            if inserted:
                self.wake()
            return _json(200, {"received": True, "duplicate": not inserted}, rid)
        finally:
            self.counter.labels(event=event, outcome=outcome).inc()
            self.s.log.info("zoom_webhook", request_id=rid, zoom_event=event, outcome=outcome,
                            latency_ms=round((time.perf_counter() - t0) * 1000, 2))

    def _add(self, key: str, event: str, action: str) -> bool:
        path = self.s.cfg.server_db
        if path is None:
            raise problems.ApiProblem(501, "not-supported", "The Zoom webhook inbox needs the server's SQLite file",
                                      rule="server-db")
        with self._db_lock:
            if self._db is None:
                self._db = ServerDB(path, shares_store_file=path == self.s.cfg.db)
            return self._db.inbox_add(key, event, action)

    def wake(self) -> None:
        """Asks the worker to apply what is pending (a job: it runs between the worker's batches)."""
        self.s.worker.call(self.process)

    # ---- the worker thread: apply ----------------------------------------------------------------
    def process(self, ctx: Context) -> int:
        if ctx.db is None:
            return 0
        again = False
        done = 0
        for row, event, action_text, attempts in ctx.db.inbox_pending():
            action = json.loads(action_text)
            try:
                outcome, request = self._apply(ctx, action)
            except sala.Error as e:
                # A backend or store failure: kept pending and tried again (the effect is idempotent).
                outcome, request = f"error:{type(e).__name__}", None
                self.s.log.error("zoom_webhook_failed", row=row, zoom_event=event, kind=type(e).__name__,
                                 detail=str(e))
            retry = outcome == "busy" or outcome.startswith("error:")
            if retry and attempts + 1 < MAX_ATTEMPTS:
                ctx.db.inbox_again(row, outcome)
                again = True
            else:
                if retry:
                    outcome = "gave_up"
                ctx.db.inbox_finish(row, outcome, request)
                done += 1
            self.counter.labels(event=event if action["kind"] != "other" else "other",
                                outcome=outcome.split(":")[0]).inc()
            self.s.log.info("zoom_webhook_applied", row=row, zoom_event=event, outcome=outcome, request=request,
                            webinar_id=action.get("webinar_id") or None)
        if again:
            self._retry_later()
        return done

    def _retry_later(self) -> None:
        if self._retry_timer is not None and self._retry_timer.is_alive():
            return
        self._retry_timer = threading.Timer(RETRY_SECONDS, self.wake)
        self._retry_timer.daemon = True
        self._retry_timer.start()

    def _apply(self, ctx: Context, a: dict[str, Any]) -> tuple[str, Optional[int]]:
        kind = a["kind"]
        if kind not in _KINDS_ACTED_ON:
            return "ignored", None  # acknowledged and logged, nothing to do
        life = ctx.life
        if life is None:
            return "no_lifecycle", None
        when = dt.datetime.fromisoformat(a["when"]) if a.get("when") else ctx.now()
        if kind == "app_deauthorized":
            return self._deauthorized(ctx, a["account_id"])
        if kind == "webinar_started":
            r = life.note_webinar_started(a["webinar_id"], when)
        elif kind == "webinar_ended":
            r = life.note_webinar_ended(a["webinar_id"], when)
        else:
            files = [sala.RecordingFile(f["id"], f["file_type"], f["download_url"], f["size_bytes"])
                     for f in a.get("files", [])]
            r = life.note_recording_completed(a["webinar_id"], files, when)
        return r.outcome, int(r.request) if r.request is not None else None

    def _deauthorized(self, ctx: Context, zoom_account: str) -> tuple[str, Optional[int]]:
        """The linked account named as the Zoom account id, else the only linked account."""
        pools = list(ctx.dp.pools())
        named = [p for p in pools if p.name == zoom_account]
        target = named[0] if named else (pools[0] if len(pools) == 1 else None)
        if target is None:
            self.s.log.warning("zoom_deauthorized_unmapped", zoom_account=zoom_account, linked=len(pools))
            return "unknown_account", None
        rep = ctx.life.account_deauthorized(target.name, ctx.now())
        self.s.log.warning("zoom_deauthorized", account=target.name, deactivated=len(rep.deactivated),
                           still_booked=len(rep.still_booked), booked=[int(b) for b in rep.booked])
        return "applied", None

    # ---- what an admin sees -----------------------------------------------------------------------------
    def inbox(self, ctx: Context, limit: int) -> list[dict[str, Any]]:
        if ctx.db is None:
            return []
        return [{"id": i, "delivery_key": k, "event": e, "state": st, "outcome": o, "request": r,
                 "attempts": n, "received": dt.datetime.fromtimestamp(rc, UTC).isoformat(),
                 "processed": dt.datetime.fromtimestamp(p, UTC).isoformat() if p else None}
                for i, k, e, st, o, r, n, rc, p in ctx.db.inbox_list(limit)]


def status_of(ctx: Context, rid: int) -> Optional[str]:
    """The request's status with what Zoom said (running from webinar.started); None: the platform's."""
    if ctx.life is None:
        return None
    try:
        return str(ctx.life.status(sala.RequestId(rid)).value)
    except sala.NotFoundError:
        return None  # archived: the platform's answer stands


def register(s: Server) -> ZoomWebhooks:
    hooks = ZoomWebhooks(s)

    @s.route("POST", "/v1/zoom/webhook", frozenset(), "Zoom webhook deliveries (signed with the app's secret token)",
             responses={200: {"description": "acknowledged (queued, or a repeat); for endpoint.url_validation "
                                             "the plainToken and its encryptedToken"},
                        503: {"description": "SALA_ZOOM_WEBHOOK_SECRET is not set"}})
    async def zoom_webhook(request: Request) -> Response:
        return await hooks.receive(request)

    @s.route("GET", "/v1/zoom/webhook/inbox", frozenset({ADMIN}), "Recent Zoom deliveries and what was done")
    async def zoom_inbox(request: Request, limit: int = 100) -> Response:
        if not 1 <= limit <= 1000:
            raise problems.invalid("limit", "1-1000", "limit: between 1 and 1000")
        return _json(200, await s.run(request, "zoom_inbox", lambda ctx: hooks.inbox(ctx, limit)), _rid(request))

    hooks.wake()  # what a crash or a stop left pending is applied once the worker runs
    return hooks
