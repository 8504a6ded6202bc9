"""The routes of /v1 and the probes. Each route names the roles that may call
it (the authorization matrix in docs/server.md is this table; a test checks
the two agree). Handlers validate and convert in the event loop, then hand the
command to the worker thread; a refused command changes nothing (sala's
commands are all-or-nothing and the checks here run before them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

import sala
from fastapi import Query, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from . import convert as cv
from . import docs_page
from . import models as m
from . import problems
from .app import ADMIN, ALL_ROLES, ORGANIZER, PLATFORM, Server, _json, _rid
from .serverdb import Principal
from .worker import Context
from .zoom_webhooks import status_of as zoom_status

ADMIN_ONLY = frozenset({ADMIN})
ADMIN_PLATFORM = frozenset({ADMIN, PLATFORM})


def _principal(request: Request) -> Principal:
    return request.state.principal


def _owned(ctx: Context, p: Principal, rid: int) -> Any:
    """The request, if this principal may see it (organizers: their own; others: 404)."""
    try:
        req = ctx.dp.get_request(rid)
    except sala.NotFoundError:
        raise problems.not_found("request", f"request {rid} does not exist") from None
    if p.role == ORGANIZER and req.organizer.email.casefold() != p.email.casefold():
        raise problems.not_found("request", f"request {rid} does not exist")
    return req


def _need_life(ctx: Context) -> Any:
    if ctx.life is None:
        raise problems.ApiProblem(501, "no-lifecycle", "No lifecycle configured",
                                  "start the server with a conferencing backend to use this",
                                  rule="lifecycle-configured")
    return ctx.life


def register(s: Server) -> None:
    route = s.route

    # ---- probes (no token) ------------------------------------------------------------------------
    @route("GET", "/healthz", frozenset(), "Alive", include_in_schema=True)
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    if s.cfg.docs:
        @route("GET", "/v1/docs", frozenset(), "API reference (HTML)", include_in_schema=False)
        async def api_docs() -> Response:
            roles = {(r.method, r.path): r.roles for r in s.routes}
            return HTMLResponse(docs_page.render(s.app.openapi(), roles, "/v1/openapi.json"),
                                headers={"Content-Security-Policy": docs_page.CONTENT_SECURITY_POLICY})

    @route("GET", "/readyz", frozenset(), "Ready: store reachable, lifecycle not behind")
    async def readyz(request: Request) -> Response:
        checks: dict[str, Any] = {}
        ok = True
        try:
            import asyncio
            version = await asyncio.wait_for(asyncio.wrap_future(s.worker.call(lambda c: c.store.version())), 5)
            checks["store"] = {"ok": True, "version": version}
        except Exception as e:  # a store that cannot answer, or a worker that is stuck
            ok = False
            checks["store"] = {"ok": False, "error": type(e).__name__}
        lag = s.worker.lag_seconds()
        lag_ok = lag <= s.cfg.ready_max_lag_seconds
        checks["lifecycle"] = {"ok": lag_ok, "lag_seconds": round(lag, 1),
                               "max_lag_seconds": s.cfg.ready_max_lag_seconds}
        ok = ok and lag_ok
        return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks},
                            status_code=200 if ok else 503)

    @route("GET", "/metrics", frozenset(), "Prometheus metrics")
    async def metrics(request: Request) -> Response:
        def gauges(ctx: Context) -> None:
            s.metrics.queue_length.set(len(ctx.dp.queue()))
            s.metrics.open_problems.set(len(ctx.life.problems()) if ctx.life else 0)
            backlog = ctx.db.outbox_backlog() if ctx.db else None
            if backlog is not None:
                s.metrics.outbox_backlog.set(backlog)
        try:
            import asyncio
            await asyncio.wait_for(asyncio.wrap_future(s.worker.call(gauges)), 5)
        except Exception:
            pass  # serve the last values; readyz says why
        s.metrics.lifecycle_lag.set(s.worker.lag_seconds())
        return Response(generate_latest(s.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # ---- requests ------------------------------------------------------------------------------------
    @s.fast_route("POST", "/v1/requests", ALL_ROLES, "Submit a request (assigned or queued)", m.RequestIn,
                  status=201, model=m.RequestOut)
    async def submit_request(body: m.RequestIn, request: Request) -> Response:
        p = _principal(request)
        if p.role == ORGANIZER:
            if body.organizer is not None and body.organizer.email.casefold() != p.email.casefold():
                raise problems.ApiProblem(403, "forbidden", "Organizers submit for themselves",
                                          "organizer.email must be the token's own address",
                                          field="organizer.email", rule="own-requests")
            org = sala.Organizer(body.organizer.name if body.organizer else (p.name or p.email), p.email)
        elif body.organizer is None:
            raise problems.invalid("organizer", "required", "organizer: required for admin and platform tokens")
        else:
            org = sala.Organizer(body.organizer.name, body.organizer.email)
        inp = cv.request_input(body, org)

        def command(ctx: Context) -> tuple[int, Any]:
            sub = ctx.dp.submit(inp)
            req = ctx.dp.get_request(sub.id)
            res = ctx.dp.reservation_of(sub.id)
            return 201, cv.request_json(ctx.dp, req, res)

        def pending(ctx: Context) -> tuple[Optional[int], str]:
            # The lowest id it can get: in a group commit the submits before it take the
            # ids in between (recovery looks from here on, see __main__._find_pending).
            return ctx.dp.next_request, f"{body.event_id}\x1f{body.title}"
        return await s.idempotent(request, "submit", command, pending, group=True)

    @route("GET", "/v1/requests", ALL_ROLES, "List requests (filters, pagination by id)", model=m.RequestPage)
    async def list_requests(
            request: Request,
            state: Optional[Literal["assigned", "queued"]] = None,
            organizer: Optional[str] = Query(None, description="organizer e-mail (admin, platform)"),
            room: Optional[int] = Query(None, ge=1),
            event_id: Optional[str] = None,
            start_from: Optional[str] = Query(None, alias="from", description="start at or after (RFC 3339)"),
            start_to: Optional[str] = Query(None, alias="to", description="start before (RFC 3339)"),
            limit: int = Query(100, ge=1, le=10000),
            cursor: Optional[str] = Query(None, regex=r"^[0-9]{1,19}$")) -> Response:
        p = _principal(request)
        if limit > s.cfg.page_size_max:
            raise problems.invalid("limit", "max", f"limit: at most {s.cfg.page_size_max}")
        lo = cv.parse_time("from", start_from, need_offset=True) if start_from else None
        hi = cv.parse_time("to", start_to, need_offset=True) if start_to else None
        who = p.email.casefold() if p.role == ORGANIZER else (organizer.casefold() if organizer else None)
        after = int(cursor) if cursor else 0

        def job(ctx: Context) -> tuple[int, Any]:
            items: list[dict[str, Any]] = []
            last = None
            for req, res in cv.matching_requests(ctx.dp, after, who=who, state=state, room=room,
                                                 event_id=event_id, lo=lo, hi=hi):
                if len(items) == limit:
                    return 200, {"items": items, "next_cursor": str(last)}
                items.append(cv.request_json(ctx.dp, req, res, status=zoom_status(ctx, int(req.id))))
                last = int(req.id)
            return 200, {"items": items, "next_cursor": None}
        status, body = await s.run(request, "list_requests", job)
        return _json(status, body, _rid(request))

    @route("GET", "/v1/requests/{rid}", ALL_ROLES, "Get a request", model=m.RequestOut)
    async def get_request(rid: int, request: Request) -> Response:
        p = _principal(request)

        def job(ctx: Context) -> Any:
            req = _owned(ctx, p, rid)
            try:
                return cv.request_json(ctx.dp, req, ctx.dp.reservation_of(rid), status=zoom_status(ctx, rid))
            except sala.NotFoundError:  # cancelled or archived: its history record
                return cv.history_json(ctx.dp.history_of(rid))
        return _json(200, await s.run(request, "get_request", job, inline=True), _rid(request))

    @route("POST", "/v1/requests/{rid}/cancel", ALL_ROLES, "Cancel a request", model=m.RequestOut)
    async def cancel_request(rid: int, request: Request) -> Response:
        p = _principal(request)

        def command(ctx: Context) -> tuple[int, Any]:
            req = _owned(ctx, p, rid)
            body = cv.request_json(ctx.dp, req, ctx.dp.reservation_of(rid))
            ctx.dp.cancel(rid)
            body.update(state="cancelled", room=None, status="cancelled")
            return 200, body
        return await s.idempotent(request, "cancel", command, group=True)

    @route("POST", "/v1/requests/{rid}/retry", ADMIN_ONLY, "Try first-fit again for a queued request",
           model=m.AssignmentOut)
    async def retry_request(rid: int, request: Request) -> Response:
        def command(ctx: Context) -> tuple[int, Any]:
            return 200, cv.assignment_json(ctx.dp, rid, ctx.dp.retry(rid))
        return await s.idempotent(request, "retry", command, group=True)

    def _to_room(name: str, method: str) -> Any:
        """assign / reassign: the room must be free (409 naming `room` otherwise)."""
        async def handler(rid: int, body: m.RoomRef, request: Request) -> Response:
            def command(ctx: Context) -> tuple[int, Any]:
                a = getattr(ctx.dp, method)(rid, body.room)
                if not a:
                    raise problems.ApiProblem(409, "room-not-free", "The room is not free", a.reason,
                                              field="room", rule="free")
                return 200, cv.assignment_json(ctx.dp, rid, a)
            return await s.idempotent(request, method, command, group=True)
        handler.__name__ = name
        return handler

    route("POST", "/v1/requests/{rid}/assign", ADMIN_ONLY, "Assign a queued request to a room",
          model=m.AssignmentOut)(_to_room("assign_request", "assign"))
    route("POST", "/v1/requests/{rid}/reassign", ADMIN_ONLY, "Move an assigned request to another room",
          model=m.AssignmentOut)(_to_room("reassign_request", "reassign"))

    @route("GET", "/v1/queue", ADMIN_ONLY, "The unassigned queue, oldest first", model=m.QueueOut)
    async def queue(request: Request) -> Response:
        def job(ctx: Context) -> Any:
            return {"items": [cv.request_json(ctx.dp, r, None, status="unassigned") for r in ctx.dp.queue()]}
        return _json(200, await s.run(request, "queue", job), _rid(request))

    def _plan(ctx: Context, rid: int, max_moves: int) -> Any:
        ctx.dp.get_request(rid)
        return sala.find_make_room(ctx.dp, rid, max_moves)

    def _plan_json(plan: Any) -> dict[str, Any]:
        return {"request": int(plan.request), "room": int(plan.room), "explanation": plan.explanation,
                "moves": [{"request": int(x.request), "title": x.title, "from_room": int(x.from_room),
                           "to_room": int(x.to_room), "cost": x.cost} for x in plan.moves]}

    @route("GET", "/v1/requests/{rid}/make-room", ADMIN_ONLY, "Plan the fewest moves that free a room",
           model=m.MakeRoomOut)
    async def make_room_plan(rid: int, request: Request, max_moves: int = Query(3, ge=0, le=10)) -> Response:
        def job(ctx: Context) -> Any:
            plan = _plan(ctx, rid, max_moves)
            if plan is None:
                raise problems.ApiProblem(409, "no-plan", "No plan frees a room",
                                          f"no plan within {max_moves} move(s)", field="max_moves", rule="plan")
            return _plan_json(plan)
        return _json(200, await s.run(request, "make_room_plan", job), _rid(request))

    @route("POST", "/v1/requests/{rid}/make-room", ADMIN_ONLY, "Apply the make-room plan", model=m.AssignmentOut)
    async def make_room_apply(rid: int, body: m.MakeRoomIn, request: Request) -> Response:
        def command(ctx: Context) -> tuple[int, Any]:
            ctx.dp.get_request(rid)
            # Planned and applied in one transaction, on the state it sees: another
            # instance's commit cannot slip between the plan and its moves.
            done = sala.make_room(ctx.dp, rid, body.max_moves)
            if done is None:
                raise problems.ApiProblem(409, "no-plan", "No plan frees a room",
                                          f"no plan within {body.max_moves} move(s)", field="max_moves",
                                          rule="plan")
            return 200, cv.assignment_json(ctx.dp, rid, done[1])
        return await s.idempotent(request, "make_room_apply", command)

    # ---- lifecycle views -------------------------------------------------------------------------------
    @route("GET", "/v1/requests/{rid}/credentials", ALL_ROLES, "Credentials, once issued",
           model=m.CredentialsOut)
    async def credentials(rid: int, request: Request) -> Response:
        p = _principal(request)

        def job(ctx: Context) -> Any:
            _owned(ctx, p, rid)
            c = _need_life(ctx).credentials_of(rid)
            if c is None:
                raise problems.not_found("credentials", f"no credentials issued yet for request {rid}")
            return cv.credentials_json(c)
        return _json(200, await s.run(request, "credentials", job), _rid(request))

    @route("POST", "/v1/requests/{rid}/credentials", ADMIN_ONLY, "Generate credentials now (R13)",
           model=m.GenerateOut)
    async def credentials_now(rid: int, request: Request) -> Response:
        def command(ctx: Context) -> tuple[int, Any]:
            life = _need_life(ctx)
            ctx.dp.get_request(rid)
            return 200, {"generated": bool(life.generate_credentials_now(rid, ctx.now()))}
        return await s.idempotent(request, "credentials_now", command)

    @route("GET", "/v1/requests/{rid}/report", ALL_ROLES, "Attendance report (JSON)", model=m.ReportOut,
           responses={200: {"content": {"text/csv": {}}}})
    async def report(rid: int, request: Request, format: Literal["json", "csv"] = "json") -> Response:
        p = _principal(request)

        def job(ctx: Context) -> Any:
            req = _owned(ctx, p, rid)
            r = _need_life(ctx).report_of(rid)
            if r is None:
                raise problems.not_found("report", f"no attendance report yet for request {rid}")
            if format == "csv":
                return r.csv(req.zone)
            return cv.report_json(r, req.zone)
        out = await s.run(request, "report", job)
        if format == "csv":
            return PlainTextResponse(out, media_type="text/csv; charset=utf-8",
                                     headers={"X-Request-Id": _rid(request)})
        return _json(200, out, _rid(request))

    @route("GET", "/v1/requests/{rid}/recordings", ALL_ROLES, "Recordings status", model=m.RecordingsOut)
    async def recordings(rid: int, request: Request) -> Response:
        p = _principal(request)

        def job(ctx: Context) -> Any:
            _owned(ctx, p, rid)
            w = _need_life(ctx).state().webinars.get(sala.RequestId(rid))
            files = list(w.recordings) if w else []
            done = False
            if w is not None:
                rec = w.steps.get(sala.StepKind.DOWNLOAD_RECORDINGS)
                done = bool(rec and rec.done)
            return {"request": rid, "stuck": bool(w and w.recording_stuck), "downloaded": done,
                    "files": [{"id": f.id, "file_type": f.file_type, "size_bytes": f.size_bytes} for f in files]}
        return _json(200, await s.run(request, "recordings", job), _rid(request))

    @route("GET", "/v1/about-to-start", ADMIN_ONLY, "Webinars starting soon and their credentials",
           model=list[m.AboutToStartOut])
    async def about_to_start(request: Request, lookahead: int = Query(120, ge=1, le=10080)) -> Response:
        def job(ctx: Context) -> Any:
            now = ctx.now()
            lead = ctx.dp.state().settings.credentials_lead
            out = []
            for res in ctx.dp.reservations():
                req = ctx.dp.get_request(res.request)
                if not now - req.duration <= req.start <= now + dt.timedelta(minutes=lookahead):
                    continue
                issued = ctx.life.credentials_of(res.request) is not None if ctx.life else False
                out.append({"request": int(req.id), "title": req.title, "room": int(res.room),
                            "start": cv.iso(req.start, req.zone), "zone": req.zone,
                            "credentials_due": cv.iso(req.start - lead, req.zone), "credentials_issued": issued})
            return sorted(out, key=lambda e: (e["start"], e["request"]))
        return _json(200, await s.run(request, "about_to_start", job), _rid(request))

    @route("GET", "/v1/problems", ADMIN_ONLY, "Open lifecycle problems", model=list[m.ProblemOut])
    async def problems_list(request: Request) -> Response:
        def job(ctx: Context) -> Any:
            if ctx.life is None:
                return []
            return [cv.problem_json(x) for x in ctx.life.problems()]
        return _json(200, await s.run(request, "problems", job), _rid(request))

    # ---- calendar, rooms, accounts, settings, planning ------------------------------------------------
    @route("GET", "/v1/calendar", ADMIN_ONLY, "Webinars over a window", model=list[m.CalendarEntryOut])
    async def calendar(request: Request, start_from: str = Query(..., alias="from"),
                       start_to: str = Query(..., alias="to")) -> Response:
        win = cv.window(start_from, start_to)

        def job(ctx: Context) -> Any:
            return [cv.calendar_entry_json(ctx.dp, e) for e in ctx.dp.calendar(win)]
        return _json(200, await s.run(request, "calendar", job), _rid(request))

    @route("GET", "/v1/rooms", ADMIN_ONLY, "Rooms", model=list[m.RoomOut])
    async def rooms(request: Request) -> Response:
        return _json(200, await s.run(request, "rooms", lambda c: [cv.room_json(r) for r in c.dp.rooms()]),
                     _rid(request))

    @route("GET", "/v1/rooms/{room}/webinars", ADMIN_ONLY, "A room's webinars", model=list[m.CalendarEntryOut])
    async def room_webinars(room: int, request: Request) -> Response:
        def job(ctx: Context) -> Any:
            return [cv.calendar_entry_json(ctx.dp, e) for e in ctx.dp.room_webinars(room)]
        return _json(200, await s.run(request, "room_webinars", job), _rid(request))

    def _room_command(name: str, action: Any) -> Any:
        async def handler(room: int, request: Request) -> Response:
            def command(ctx: Context) -> tuple[int, Any]:
                action(ctx.dp, room)
                return 200, cv.room_json(ctx.dp.get_room(room))
            return await s.idempotent(request, name, command)
        handler.__name__ = name
        return handler

    route("POST", "/v1/rooms/{room}/activate", ADMIN_ONLY, "Activate a room", model=m.RoomOut)(
        _room_command("activate_room", lambda dp, r: dp.activate(r)))
    route("POST", "/v1/rooms/{room}/deactivate", ADMIN_ONLY, "Deactivate a room", model=m.RoomOut)(
        _room_command("deactivate_room", lambda dp, r: dp.deactivate(r)))

    @route("PUT", "/v1/rooms/{room}/mode", ADMIN_ONLY, "Set a room automatic or manual", model=m.RoomOut)
    async def set_mode(room: int, body: m.ModeIn, request: Request) -> Response:
        def job(ctx: Context) -> Any:
            ctx.dp.set_mode(room, sala.RoomMode(body.mode))
            return cv.room_json(ctx.dp.get_room(room))
        return _json(200, await s.run(request, "set_mode", job), _rid(request))

    @route("GET", "/v1/accounts", ADMIN_ONLY, "Linked accounts (pools)", model=list[m.PoolOut])
    async def accounts(request: Request) -> Response:
        def job(ctx: Context) -> Any:
            view = sala.Platform.restore(ctx.dp.state())
            return [cv.pool_json(view, p) for p in ctx.dp.pools()]
        return _json(200, await s.run(request, "accounts", job), _rid(request))

    @route("GET", "/v1/accounts/users", ADMIN_ONLY, "Users of the conferencing account",
           model=list[m.AccountUserOut])
    async def account_users(request: Request) -> Response:
        def job(ctx: Context) -> Any:
            if ctx.conferencing is None:
                raise problems.ApiProblem(501, "no-conferencing", "No conferencing backend configured",
                                          rule="conferencing-configured")
            return [cv.account_user_json(u) for u in ctx.conferencing.list_users()]
        return _json(200, await s.run(request, "account_users", job), _rid(request))

    @route("POST", "/v1/accounts", ADMIN_ONLY, "Link (or re-link) an account", model=m.LinkOut)
    async def link_account(body: m.LinkIn, request: Request) -> Response:
        def command(ctx: Context) -> tuple[int, Any]:
            if body.users is not None:
                users = [sala.AccountUser(u.user_id, u.email, u.display_name, owner=u.owner, licensed=u.licensed,
                                          capacity=u.capacity) for u in body.users]
            elif ctx.conferencing is not None:
                users = ctx.conferencing.list_users()
            else:
                raise problems.invalid("users", "required", "users: required when no conferencing backend is "
                                       "configured")
            r = ctx.dp.link_account(body.name, sala.PoolKind(body.kind), users)
            return 200, cv.link_json(r)
        return await s.idempotent(request, "link_account", command)

    @route("GET", "/v1/settings", ADMIN_PLATFORM, "Booking settings", model=m.SettingsOut)
    async def get_settings(request: Request) -> Response:
        return _json(200, await s.run(request, "get_settings", lambda c: cv.settings_json(c.dp.state().settings)),
                     _rid(request))

    @route("PUT", "/v1/settings", ADMIN_ONLY, "Change booking settings (fields given)", model=m.SettingsOut)
    async def put_settings(body: m.SettingsIn, request: Request) -> Response:
        def job(ctx: Context) -> Any:
            st = ctx.dp.state().settings.copy()
            for f, v in body.dict(exclude_none=True).items():
                setattr(st, f, v)
            ctx.dp.set_settings(st)
            return cv.settings_json(ctx.dp.state().settings)
        return _json(200, await s.run(request, "set_settings", job), _rid(request))

    @route("GET", "/v1/licence-plan", ADMIN_ONLY, "Rooms and licences needed over a window (R18)",
           model=m.LicencePlanOut)
    async def licence_plan(request: Request, start_from: str = Query(..., alias="from"),
                           start_to: str = Query(..., alias="to")) -> Response:
        win = cv.window(start_from, start_to)

        def job(ctx: Context) -> Any:
            r = sala.plan_licences(sala.Platform.restore(ctx.dp.state()), win)
            return {"requests": r.requests, "minimum_rooms": r.minimum_rooms, "peak_at": cv.iso(r.peak_at),
                    "first_fit_rooms": r.first_fit_rooms, "plan": r.plan.value, "licences": r.licences}
        return _json(200, await s.run(request, "licence_plan", job), _rid(request))

    # The problem schema, for the OpenAPI document's error responses.
    s.app.openapi_schema = None
    _orig = s.app.openapi

    def openapi() -> dict[str, Any]:
        if s.app.openapi_schema is None:
            doc = _orig()
            doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = m.Problem.schema()
            s.app.openapi_schema = doc
        return s.app.openapi_schema
    s.app.openapi = openapi  # type: ignore[method-assign]
