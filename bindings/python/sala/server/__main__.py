"""`python3 -m sala.server serve|token ...` (what `sala serve` and `sala token` run).

Exit codes as the `sala` command: 0 ok, 2 usage error, 3 the store or a file
cannot be used."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
from typing import Any, Optional

import sala

from . import config as config_mod
from .serverdb import ROLES, ServerDB


def _recover(ctx: Any) -> None:
    """At start-up: idempotency rows left pending by a crash are resolved against
    the store (the submit committed: its response is recorded; it did not: the
    key is forgotten, so the client's retry submits)."""
    from . import convert as cv
    if ctx.db is None:
        return
    claimed: set[int] = set()
    for principal, key, fp, expected, check in ctx.db.idem_pending_rows():
        req = _find_pending(ctx, expected, check, claimed) if expected is not None else None
        if req is not None:
            claimed.add(int(req.id))
            body = cv.request_json(ctx.dp, req, ctx.dp.reservation_of(req.id))
            ctx.db.idem_done(principal, key, fp, 201, json.dumps(body))
        else:
            ctx.db.idem_forget(principal, key)
    ctx.db.idem_prune(7 * 24 * 3600)


def _find_pending(ctx: Any, expected: int, check: str, claimed: set[int]) -> Any:
    """The request a pending submit created: the first from its lowest possible id on
    (in a group commit the submits before it take the ids in between) with its event
    id and title, not claimed by another pending key."""
    for num in range(expected, min(expected + 10000, ctx.dp.next_request)):
        if num in claimed:
            continue
        try:
            req = ctx.dp.get_request(num)
        except sala.NotFoundError:
            continue
        if f"{req.event_id}\x1f{req.title}" == check:
            return req
    return None


def build(cfg: config_mod.Config, log: Any = None) -> Any:
    """The server object (app + worker), not started."""
    from .api import register
    from .app import Server
    from .logs import Log
    from .metrics import Metrics
    from .worker import Worker
    log = log or Log()
    metrics = Metrics()
    worker = Worker(cfg, log, metrics, on_open=_recover)
    server = Server(cfg, log, metrics, worker)
    register(server)
    from . import zoom_webhooks
    zoom_webhooks.register(server)
    from .webhooks_out import install
    server.webhooks = install(server)
    return server


def serve(cfg: config_mod.Config) -> int:
    import uvicorn
    server = build(cfg)
    log = server.log
    host, port = config_mod.parse_listen(cfg.listen)
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # connections wait in the backlog until uvicorn accepts
    except OSError as e:
        log.error("startup_failed", reason=f"cannot listen on {cfg.listen}: {e.strerror}")
        return 3
    try:
        server.worker.start()
    except (sala.Error, OSError, ValueError) as e:
        log.error("startup_failed", reason=str(e), store=cfg.store_label())
        return 3
    bound = sock.getsockname()
    log.info("listening", host=bound[0], port=bound[1], store=cfg.store_label(),
             conferencing=cfg.conferencing, mailer=cfg.mailer, pid=os.getpid())
    extra = {"timeout_graceful_shutdown": 30} if _has_graceful() else {}
    ucfg = uvicorn.Config(server.asgi, log_level="warning", access_log=False, lifespan="off",
                          timeout_keep_alive=cfg.keep_alive_seconds, backlog=2048, **extra)
    userver = uvicorn.Server(ucfg)
    # uvicorn turns SIGTERM/SIGINT into a graceful shutdown: stop accepting, let
    # the requests in flight finish; then the worker finishes its jobs and the tick in hand.
    userver.run(sockets=[sock])
    log.info("stopping", reason="signal", pending_jobs=0)
    server.worker.stop()
    server.webhooks.stop()
    log.info("stopped", ticks=server.worker.ticks)
    return 0


def _has_graceful() -> bool:
    import inspect
    import uvicorn
    return "timeout_graceful_shutdown" in inspect.signature(uvicorn.Config).parameters


def token(args: argparse.Namespace) -> int:
    path = args.server_db or args.db
    try:
        if args.action == "create":
            if args.role == "organizer" and not args.email:
                print("sala token create: --email is required for --role organizer", file=sys.stderr)
                return 2
            if not args.server_db:
                # Works before the server ever ran: the store is created (and initialised) first.
                store = sala.SqliteStore.open(path, create=True)
                sala.DurablePlatform(store)
            db = ServerDB(path, shares_store_file=not args.server_db)
            tid, tok = db.create_token(args.role, args.email or "", args.name or "")
            db.close()
            print(tok)
            print(f"token {tid} ({args.role}) stored hashed in {path}; it is shown only now", file=sys.stderr)
            return 0
        if not os.path.exists(path):
            print(f"sala token: {path} does not exist", file=sys.stderr)
            return 3
        db = ServerDB(path)
        if args.action == "list":
            for tid, role, email, name, created, revoked in db.list_tokens():
                print(json.dumps({"id": tid, "role": role, "email": email, "name": name, "created": created,
                                  "revoked": revoked}))
            return 0
        if not db.revoke(args.id):
            print(f"sala token revoke: no active token {args.id}", file=sys.stderr)
            return 1
        return 0
    except (sala.Error, OSError) as e:
        print(f"sala token: {e}", file=sys.stderr)
        return 3


def main(argv: Optional[list[str]] = None) -> int:
    from . import admin
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in admin.COMMANDS:
        return admin.main(argv)
    ap = argparse.ArgumentParser(prog="sala", description="sala's HTTP service and its tokens")
    sub = ap.add_subparsers(dest="command", required=True)
    sv = sub.add_parser("serve", help="run the HTTP API, the lifecycle and the outbox in one process")
    sv.add_argument("--config", help="TOML file (default: $SALA_CONFIG)")
    sv.add_argument("--db", help="SQLite store file (created if missing)")
    sv.add_argument("--pg", help="PostgreSQL conninfo (prefer SALA_PG_CONNINFO: it may hold a password)")
    sv.add_argument("--listen", help="HOST:PORT (default 127.0.0.1:8080; port 0 picks a free one)")
    sv.add_argument("--server-db", help="SQLite file of tokens and idempotency keys (default: --db; "
                                        "required with --pg)")
    tk = sub.add_parser("token", help="create, list or revoke API tokens")
    tsub = tk.add_subparsers(dest="action", required=True)
    for name in ("create", "list", "revoke"):
        t = tsub.add_parser(name)
        t.add_argument("--db", default="sala.db", help="SQLite store file (default ./sala.db)")
        t.add_argument("--server-db", help="with PostgreSQL: the server's SQLite file (as sala serve --server-db)")
        if name == "create":
            t.add_argument("--role", required=True, choices=ROLES)
            t.add_argument("--email", help="the organizer's address (organizer tokens)")
            t.add_argument("--name", help="a label for the token")
        if name == "revoke":
            t.add_argument("id", type=int)
    args = ap.parse_args(argv)
    if args.command == "token":
        return token(args)
    try:
        cfg = config_mod.load(args.config or os.environ.get("SALA_CONFIG"), db=args.db, pg=args.pg,
                              listen=args.listen, server_db=args.server_db)
    except config_mod.ConfigError as e:
        print(f"sala serve: {e}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    return serve(cfg)


if __name__ == "__main__":
    sys.exit(main())
