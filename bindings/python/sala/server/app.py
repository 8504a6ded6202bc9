"""The HTTP layer: the FastAPI application, its middleware (request ids,
bounded bodies, access log, latency histogram), authentication and roles,
problem+json errors, and the bridge to the worker thread."""

from __future__ import annotations

import asyncio
import collections
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

import pydantic
import sala
from fastapi import Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from . import problems
from .config import Config
from .logs import Log
from .metrics import Metrics
from .problems import ApiProblem
from .serverdb import Principal, ServerDB
from .worker import NOT_RUN, Context, Done, Grouped, Worker

ADMIN, ORGANIZER, PLATFORM = "admin", "organizer", "platform"
ALL_ROLES = frozenset({ADMIN, ORGANIZER, PLATFORM})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_IDEM_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# Request ids only correlate log lines: a random prefix per process and a counter
# (32 hex digits like a uuid4's, without a call to the OS's random source per request).
_RID_PREFIX = secrets.token_hex(10)
_RID_COUNTER = itertools.count(1)

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {problems.PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code, text in ((401, "no or unknown token"), (403, "the token's role may not do this"),
                       (404, "not found (or not yours)"), (409, "a booking rule or a busy room refused it"),
                       (413, "body too large"), (422, "a field is not valid: `field` and `rule` say which"),
                       (429, "too many failed authentications"))}


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    roles: frozenset[str]
    summary: str


class AuthLimiter:
    """Failed authentications per client address in a sliding minute; at the limit,
    the address gets 429 until its oldest failure is a minute old."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._fails: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, host: str) -> int:
        with self._lock:
            q = self._fails.get(host)
            if not q:
                return 0
            now = time.monotonic()
            while q and q[0] < now - 60:
                q.popleft()
            if len(q) < self.per_minute:
                return 0
            return max(1, int(q[0] + 60 - now) + 1)

    def fail(self, host: str) -> None:
        with self._lock:
            self._fails.setdefault(host, collections.deque()).append(time.monotonic())
            if len(self._fails) > 100000:  # bounded memory under a spray of addresses
                self._fails.clear()


class TokenCache:
    """Token lookups from the event loop's own connection, cached for a few
    seconds (a revoked token stops working within `ttl`)."""

    def __init__(self, path: Optional[str], ttl: float = 5.0) -> None:
        self._path = path
        self._db: Optional[ServerDB] = None
        self._cache: dict[str, tuple[Optional[Principal], float]] = {}
        self._ttl = ttl

    def lookup(self, token: str) -> Optional[Principal]:
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        hit = self._cache.get(key)
        now = time.monotonic()
        if hit and hit[1] > now:
            return hit[0]
        if self._path is None:
            return None
        if self._db is None:
            self._db = ServerDB(self._path)
        p = self._db.lookup(token)
        if len(self._cache) > 10000:
            self._cache.clear()
        self._cache[key] = (p, now + self._ttl)
        return p


class Server:
    def __init__(self, cfg: Config, log: Log, metrics: Metrics, worker: Worker) -> None:
        self.cfg = cfg
        self.log = log
        self.metrics = metrics
        self.worker = worker
        self.routes: list[RouteInfo] = []
        self.fast: dict[tuple[str, str], tuple[Any, Any, Any]] = {}  # see fast_route
        self.webhooks: Any = None  # webhooks_out.Webhooks, set by install()
        self.limiter = AuthLimiter(cfg.auth_failures_per_minute)
        self.tokens = TokenCache(cfg.server_db)
        self._templates: dict[Any, str] = {}
        self.app = FastAPI(
            title="sala", version=getattr(sala, "__version__", "0"),
            description="Books webinars into a pool of Zoom host accounts. Errors are "
                        "application/problem+json (RFC 9457).",
            openapi_url="/v1/openapi.json", docs_url=None, redoc_url=None)
        self._bearer = HTTPBearer(auto_error=False, description="a token made by `sala token create`")
        # Errors an endpoint raises, to problem+json; the fast path uses the same table.
        self._endpoint_errors: tuple[tuple[type, Callable[..., Awaitable[Response]]], ...] = (
            (ApiProblem, self._on_problem), (sala.Error, self._on_sala_error), (Exception, self._on_other))
        for kind, handler in self._endpoint_errors:
            self.app.add_exception_handler(kind, handler)  # type: ignore[arg-type]
        self.app.add_exception_handler(RequestValidationError, self._on_validation)  # type: ignore[arg-type]
        self.app.add_exception_handler(StarletteHTTPException, self._on_http)  # type: ignore[arg-type]
        self.asgi = Middleware(self.app, self)

    # ---- registration ------------------------------------------------------------------------------
    def route(self, method: str, path: str, roles: frozenset[str] | set[str], summary: str, *,
              status: int = 200, model: Any = None, **kw: Any) -> Callable[[Any], Any]:
        def deco(fn: Any) -> Any:
            deps = [Depends(self._auth(frozenset(roles)))] if roles else []
            # A public route has no token to refuse.
            responses = {k: v for k, v in PROBLEM_RESPONSES.items() if roles or k not in (401, 403, 429)}
            responses.update(kw.pop("responses", {}))
            self.app.add_api_route(path, fn, methods=[method], dependencies=deps, status_code=status,
                                   response_model=model, summary=summary, responses=responses,
                                   name=fn.__name__, **kw)
            self.routes.append(RouteInfo(method, path, frozenset(roles), summary))
            self._templates[fn] = path
            return fn
        return deco

    def fast_route(self, method: str, path: str, roles: frozenset[str], summary: str, body_model: Any, *,
                   status: int = 200, model: Any = None) -> Callable[[Any], Any]:
        """As route(), for an endpoint `fn(body, request)` on a hot path: the Middleware
        calls it directly (the same authentication, validation, endpoint and errors),
        skipping FastAPI's routing and dependency resolution, about half of the
        server's own time per request. FastAPI still has the route (the OpenAPI
        document; a request the fast path cannot take goes there)."""
        def deco(fn: Any) -> Any:
            self.route(method, path, roles, summary, status=status, model=model)(fn)
            self.fast[(method, path)] = (self._auth(roles), body_model, fn)
            return fn
        return deco

    async def serve_fast(self, entry: tuple[Any, Any, Any], scope: dict[str, Any], receive: Any, send: Any) -> None:
        authenticate, body_model, fn = entry
        scope["endpoint"] = fn
        request = Request(scope, receive)
        try:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            cred = HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip()) \
                if scheme.lower() == "bearer" and token.strip() else None
            await authenticate(request, cred)
            raw = await request.body()
            try:
                data = json.loads(raw)
            except ValueError as e:
                pos = getattr(e, "pos", 0)
                raise _BodyErrors([{"loc": ("body", pos), "msg": str(e), "type": "value_error.jsondecode"}]) from None
            try:
                body = body_model.parse_obj(data)
            except pydantic.ValidationError as e:
                raise _BodyErrors([{**err, "loc": ("body",) + tuple(err["loc"])} for err in e.errors()]) from None
            response = await fn(body, request)
        except _BodyErrors as e:
            response = self._validation_problem(request, e.errors)
        except Exception as e:
            handler = next(h for kind, h in self._endpoint_errors if isinstance(e, kind))
            response = await handler(request, e)
        await response(scope, receive, send)

    def template_of(self, endpoint: Any) -> str:
        return self._templates.get(endpoint, "other")

    def _auth(self, roles: frozenset[str]) -> Callable[..., Awaitable[None]]:
        async def authenticate(request: Request,
                               cred: Optional[HTTPAuthorizationCredentials] = Security(self._bearer)) -> None:
            host = request.client.host if request.client else "unknown"
            wait = self.limiter.retry_after(host)
            if wait:
                raise ApiProblem(429, "too-many-auth-failures", "Too many failed authentications",
                                 "wait before trying again", headers={"Retry-After": str(wait)})
            principal = self.tokens.lookup(cred.credentials) if cred and cred.credentials else None
            if principal is None:
                self.limiter.fail(host)
                self.metrics.auth_failures.inc()
                raise ApiProblem(401, "unauthenticated", "Authentication required",
                                 "send 'Authorization: Bearer <token>' with a valid token",
                                 field="Authorization", rule="valid-token",
                                 headers={"WWW-Authenticate": "Bearer"})
            if principal.role not in roles:
                raise ApiProblem(403, "forbidden", "Not allowed for this role",
                                 f"role {principal.role} may not do this; allowed: {', '.join(sorted(roles))}",
                                 field="Authorization", rule="role")
            request.state.principal = principal
        return authenticate

    # ---- the bridge to the worker ----------------------------------------------------------------------
    async def run(self, request: Request, name: str, job: Callable[[Context], Any] | Grouped, *,
                  inline: bool = False) -> Any:
        """Runs `job` on the platform: in this thread when `inline` and the worker is idle
        (short commands), otherwise as a job of the worker thread (a Grouped job may
        then share a transaction with the commands waiting next to it)."""
        t0 = time.perf_counter()
        started: list[float] = []

        def first(ctx: Context) -> None:
            started.append(time.perf_counter())
            if ctx.dp is not None and not ctx.dp.in_group:
                # Reads (and the checks a command makes before it runs) see what other
                # instances committed; a command syncs again inside its transaction.
                # One version query when nothing changed.
                ctx.dp.refresh()
        timed: Callable[[Context], Any] | Grouped
        if isinstance(job, Grouped):
            g = job

            def before(ctx: Context) -> Any:
                first(ctx)
                return g.before(ctx)
            timed = Grouped(g.command, before, g.after)
        else:
            def timed(ctx: Context) -> Any:  # type: ignore[misc]
                first(ctx)
                return job(ctx)
        outcome = "ok"
        try:
            # A command that could share a commit always goes to the worker: run inline it
            # would hold the event loop through its commit (an fsync with synchronous=FULL),
            # so the next requests would not even be read and none could join a group.
            if inline and not isinstance(job, Grouped):
                out = self.worker.try_inline(timed)
                if out is not NOT_RUN:
                    return out
            return await asyncio.wrap_future(self.worker.call(timed))
        except ApiProblem as e:
            outcome = f"refused:{e.status}"
            raise
        except sala.Error as e:
            outcome = f"error:{type(e).__name__}"
            if isinstance(e, (sala.BackendError, sala.StoreError)):
                self.metrics.backend_errors.labels(kind=type(e).__name__).inc()
                self.log.error("backend_error", request_id=_rid(request), command=name,
                               kind=type(e).__name__, detail=str(e))
            raise
        finally:
            end = time.perf_counter()
            self.metrics.commands.labels(command=name, outcome=outcome.split(":")[0]).inc()
            p = getattr(request.state, "principal", None)
            self.log.info("command", request_id=_rid(request), command=name, outcome=outcome,
                          role=p.role if p else None, token=p.id if p else None,
                          wait_ms=round(((started[0] if started else end) - t0) * 1000, 2),
                          latency_ms=round((end - t0) * 1000, 2))

    async def idempotent(self, request: Request, name: str,
                         command: Callable[[Context], tuple[int, Any]],
                         pending: Optional[Callable[[Context], tuple[Optional[int], str]]] = None, *,
                         group: bool = False) -> Response:
        """Runs a POST command once per Idempotency-Key: a repeat with the same key
        and body gets the first response again; the same key with another body is
        refused. `pending` (submit) records the id the command will create before
        it runs, so a crash between the command's commit and the response's is
        recovered at start-up (see Worker's on_open). `group`: a plain platform
        command (no backend call) that may share a transaction with its neighbours."""
        key = request.headers.get("idempotency-key")
        principal: Principal = request.state.principal
        rid = _rid(request)
        if key is None:
            plain = Grouped(lambda ctx, _: command(ctx)) if group else command
            status, body = await self.run(request, name, plain, inline=True)
            return _json(status, body, rid)
        if not _IDEM_KEY.match(key):
            raise problems.invalid("Idempotency-Key", "printable-ascii-1-255",
                                   "Idempotency-Key: 1 to 255 printable ASCII characters")
        raw = await request.body()
        fp = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + raw).hexdigest()

        def before(ctx: Context) -> Any:
            db = ctx.db
            if db is None:
                raise ApiProblem(501, "not-supported", "Idempotency keys need the SQLite store",
                                 field="Idempotency-Key", rule="supported")
            got = db.idem_get(principal.id, key)
            if got is not None:
                if got[0] != fp:
                    raise ApiProblem(422, "idempotency-key-reused", "Idempotency-Key used for another request",
                                     "this key was sent before with a different method, path or body",
                                     field="Idempotency-Key", rule="same-request")
                if got[2] is not None:
                    return Done((got[2].status, json.loads(got[2].body), True))
                raise ApiProblem(409, "idempotency-key-in-progress", "A request with this key is in progress",
                                 field="Idempotency-Key", rule="one-at-a-time")
            if pending is not None:
                expected, check = pending(ctx)
                db.idem_pending(principal.id, key, fp, expected, check)
            return None

        def after(ctx: Context, _: Any, result: Any, error: Optional[BaseException]) -> tuple[int, Any, bool]:
            assert ctx.db is not None
            if error is not None:
                if pending is not None:
                    ctx.db.idem_forget(principal.id, key)
                raise error
            status, body = result
            ctx.db.idem_done(principal.id, key, fp, status, json.dumps(body))
            return status, body, False
        job = Grouped(lambda ctx, _: command(ctx), before, after)
        if not group:
            job = job.__call__  # type: ignore[assignment]  # a plain job: never grouped
        status, body, replayed = await self.run(request, name, job, inline=True)
        resp = _json(status, body, rid)
        if replayed:
            resp.headers["Idempotent-Replayed"] = "true"
        return resp

    # ---- errors ----------------------------------------------------------------------------------------
    async def _on_problem(self, request: Request, e: ApiProblem) -> Response:
        return e.response(request.url.path, _rid(request))

    async def _on_sala_error(self, request: Request, e: sala.Error) -> Response:
        p = problems.from_sala(e)
        if p.status >= 500:
            self.log.error("error", request_id=_rid(request), kind=type(e).__name__, detail=str(e))
        return p.response(request.url.path, _rid(request))

    async def _on_validation(self, request: Request, e: RequestValidationError) -> Response:
        return self._validation_problem(request, e.errors())

    def _validation_problem(self, request: Request, raw: list[dict[str, Any]]) -> Response:
        errors = []
        for err in raw:
            loc = [str(x) for x in err.get("loc", ())]
            if loc and loc[0] in ("body", "query", "path", "header"):
                loc = loc[1:] if len(loc) > 1 or loc[0] != "body" else loc
            errors.append({"field": ".".join(loc) or "body", "rule": str(err.get("type", "invalid")),
                           "detail": str(err.get("msg", ""))})
        first = errors[0] if errors else {"field": "body", "rule": "invalid", "detail": ""}
        p = ApiProblem(422, "invalid-field", "A field is not valid",
                       f"{first['field']}: {first['detail']}", field=first["field"], rule=first["rule"],
                       errors=errors)
        return p.response(request.url.path, _rid(request))

    async def _on_http(self, request: Request, e: StarletteHTTPException) -> Response:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(e.status_code, "http-error")
        p = ApiProblem(e.status_code, slug, str(e.detail), str(e.detail), headers=dict(e.headers or {}))
        return p.response(request.url.path, _rid(request))

    async def _on_other(self, request: Request, e: Exception) -> Response:
        self.log.error("internal_error", request_id=_rid(request), kind=type(e).__name__, detail=str(e))
        return problems.from_sala(e).response(request.url.path, _rid(request))


class _BodyErrors(Exception):
    """A body the fast path could not validate, in FastAPI's error format."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid body")
        self.errors = errors


def _rid(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def _json(status: int, body: Any, request_id: str) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json",
                    headers={"X-Request-Id": request_id})


class Middleware:
    """Pure ASGI (cheaper than BaseHTTPMiddleware): a request id for every
    request, bodies bounded before the app reads them, one access-log line and
    one histogram sample per request."""

    def __init__(self, app: Any, server: Server) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.match(given) else f"{_RID_PREFIX}{next(_RID_COUNTER):012x}"
        scope.setdefault("state", {})["request_id"] = rid
        status_box = [500]
        limit = self.server.cfg.max_body_bytes

        async def send_wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
                hs = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in hs):
                    hs.append((b"x-request-id", rid.encode()))
                message = dict(message, headers=hs)
            await send(message)

        too_big = False
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            too_big = True
        body_receive = receive
        if not too_big and scope.get("method") in ("POST", "PUT", "PATCH"):
            chunks, total, more = [], 0, True
            while more:
                msg = await receive()
                if msg["type"] != "http.request":
                    break
                chunk = msg.get("body", b"")
                total += len(chunk)
                if total > limit:
                    too_big = True
                    break
                chunks.append(chunk)
                more = msg.get("more_body", False)
            if not too_big:
                done = [False]
                body = b"".join(chunks)

                async def replay() -> dict[str, Any]:
                    if not done[0]:
                        done[0] = True
                        return {"type": "http.request", "body": body, "more_body": False}
                    return await receive()
                body_receive = replay
        try:
            if too_big:
                p = ApiProblem(413, "body-too-large", "Request body too large",
                               f"at most {limit} bytes", field="body", rule="max-bytes")
                await p.response(scope.get("path", ""), rid)(scope, receive, send_wrapped)
            elif (fast := self.server.fast.get((scope.get("method", ""), scope.get("path", "")))) is not None:
                await self.server.serve_fast(fast, scope, body_receive, send_wrapped)
            else:
                await self.app(scope, body_receive, send_wrapped)
        finally:
            latency = time.perf_counter() - t0
            route = self.server.template_of(scope.get("endpoint"))
            self.server.metrics.http_latency.labels(method=scope.get("method", ""), route=route,
                                                    status=str(status_box[0])).observe(latency)
            if self.server.cfg.access_log:
                self.server.log.info("http", request_id=rid, method=scope.get("method"),
                                     path=scope.get("path"), route=route, status=status_box[0],
                                     latency_ms=round(latency * 1000, 2))
