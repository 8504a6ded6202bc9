"""The admin's everyday commands on a store: `sala rooms`, `sala queue`,
`sala requests`, `sala assign`, `sala reassign`, `sala cancel`, `sala retry`,
`sala settings`, and with the lifecycle `sala credentials`, `sala problems`,
`sala report` (docs/cli.md, "Admin commands on a store").

Each command opens the store, runs one sala command (which first takes in what
other processes committed, so it is safe while `sala serve` runs on the same
store) and prints a line per item, or with --json the same JSON body the
matching /v1 endpoint answers (convert.py is the one home of those shapes).

Exit codes as the `sala` command: 0 done, 1 refused (bad value, unknown id, a
booking rule), 2 usage, 3 the store cannot be used, 4 nothing could be done
(the room is not free, first-fit still finds no room)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Optional

import sala

from . import convert as cv
from . import problems

COMMANDS = ("accounts", "rooms", "queue", "requests", "submit", "assign", "reassign", "cancel", "retry", "settings", "credentials",
            "problems", "report")
LIFECYCLE_COMMANDS = ("credentials", "problems", "report")
OK, REFUSED, USAGE, STORE, NOTHING = 0, 1, 2, 3, 4


class _Refused(Exception):
    def __init__(self, message: str, code: int = REFUSED) -> None:
        super().__init__(message)
        self.code = code


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite store (default ./sala.db)")
    common.add_argument("--pg", help="PostgreSQL conninfo (prefer SALA_PG_CONNINFO: it may hold a password)")
    common.add_argument("--json", action="store_true", help="print the API's JSON instead of lines")
    common.add_argument("--config", help="the service's TOML file (default: $SALA_CONFIG): the conferencing "
                                         "backend and mail that credentials, problems and report use")
    ap = argparse.ArgumentParser(prog="sala", description="sala's admin commands on a store")
    sub = ap.add_subparsers(dest="command", required=True)
    rooms = sub.add_parser("rooms", parents=[common], help="list rooms; activate, deactivate, set mode")
    rooms.add_argument("action", nargs="?", choices=("list", "activate", "deactivate", "mode"), default="list")
    rooms.add_argument("room", nargs="?", type=int, help="room id (activate, deactivate, mode)")
    rooms.add_argument("mode", nargs="?", choices=("automatic", "manual"), help="the room's mode (mode)")
    ac = sub.add_parser("accounts", parents=[common], help="linked accounts; users, link, relink (the "
                                                           "conferencing backend of --config)")
    ac.add_argument("action", nargs="?", choices=("list", "users", "link", "relink"), default="list")
    ac.add_argument("name", nargs="?", help="the pool's name (link, relink)")
    ac.add_argument("--kind", choices=("own", "lent"), default="own", help="link: the account's kind (R5)")
    sub.add_parser("queue", parents=[common], help="the unassigned queue, oldest first")
    req = sub.add_parser("requests", parents=[common], help="list requests (assigned and queued)")
    req.add_argument("--state", choices=("assigned", "queued"))
    req.add_argument("--organizer", help="organizer e-mail")
    req.add_argument("--room", type=int)
    req.add_argument("--event-id")
    sb = sub.add_parser("submit", parents=[common], help="submit a request from flags, or every row of a CSV "
                                                         "(all or none)")
    sb.add_argument("--csv", help="file with a header naming columns: " + ", ".join(_CSV_COLUMNS))
    for col in _CSV_COLUMNS:
        sb.add_argument("--" + col.replace("_", "-"), dest=col)
    for name, what in (("assign", "assign a queued request to a room"),
                       ("reassign", "move an assigned request to another room (R11)")):
        p = sub.add_parser(name, parents=[common], help=what)
        p.add_argument("request", type=int)
        p.add_argument("room", type=int)
    for name, what in (("cancel", "cancel a request"), ("retry", "try first-fit again for a queued request")):
        sub.add_parser(name, parents=[common], help=what).add_argument("request", type=int)
    st = sub.add_parser("settings", parents=[common], help="show the booking settings; set NAME=MINUTES ...")
    st.add_argument("action", nargs="?", choices=("show", "set"), default="show")
    st.add_argument("values", nargs="*", metavar="NAME=VALUE",
                    help=f"names: {', '.join(cv.SETTINGS_FIELDS)} (days or minutes)")
    cr = sub.add_parser("credentials", parents=[common], help="a request's credentials; --now generates them (R13)")
    cr.add_argument("request", type=int)
    cr.add_argument("--now", action="store_true", help="generate and mail them now (R13)")
    sub.add_parser("problems", parents=[common], help="open lifecycle problems")
    sub.add_parser("report", parents=[common], help="a request's attendance report (CSV; --json)").add_argument(
        "request", type=int)
    return ap


_CSV_COLUMNS = ("title", "start", "zone", "duration", "event_id", "organizer_email", "organizer_name",
                "admission", "choose")


def _request_input(row: dict[str, Any], where: str) -> Any:
    """One request's fields (flags or a CSV row) through the API's model and conversion: the same
    checks and messages as POST /v1/requests."""
    import pydantic

    from .models import RequestIn
    fields = {k: v for k, v in row.items() if k in _CSV_COLUMNS and v not in (None, "")}
    email = fields.pop("organizer_email", None)
    name = fields.pop("organizer_name", None) or email
    if email is None:
        raise _Refused(f"{where}organizer_email: required")
    try:
        body = RequestIn(**fields)
    except pydantic.ValidationError as e:
        first = e.errors()[0]
        raise _Refused(f"{where}{'.'.join(str(x) for x in first['loc'])}: {first['msg']}") from None
    try:
        return cv.request_input(body, sala.Organizer(name, email))
    except problems.ApiProblem as e:
        raise _Refused(f"{where}{e}") from None


def _submit(dp: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.csv:
        import csv
        if any(getattr(args, c) is not None for c in _CSV_COLUMNS):
            raise _Refused("submit: give --csv or the request's flags, not both", USAGE)
        try:
            with open(args.csv, newline="", encoding="utf-8") as f:
                rows = [(n + 2, r) for n, r in enumerate(csv.DictReader(f))]
        except OSError as e:
            raise _Refused(f"--csv: cannot read {args.csv} ({e.strerror})", STORE) from None
        inputs = [_request_input(r, f"{args.csv}:{line}: ") for line, r in rows]
    else:
        inputs = [_request_input(vars(args), "")]
    # One group: every row is decided on the state the rows before it left, and a refused
    # row rolls back the whole file (nothing of it is submitted).
    dp.begin_group()
    try:
        ids = []
        for n, inp in enumerate(inputs):
            try:
                ids.append(dp.submit(inp).id)
            except sala.Error as e:
                raise _Refused(f"{args.csv}:{rows[n][0]}: {e}" if args.csv else str(e)) from None
        dp.commit_group()
    except BaseException:
        if dp.in_group:
            dp.rollback_group()
        raise
    return [cv.request_json(dp, dp.get_request(i), dp.reservation_of(i)) for i in ids]


def _store_location(args: argparse.Namespace) -> tuple[Optional[str], Optional[str]]:
    """(SQLite path, PostgreSQL conninfo): exactly one is set; the file must exist."""
    pg = args.pg or os.environ.get("SALA_PG_CONNINFO")
    if args.db and pg:
        raise _Refused("give --db or --pg, not both", USAGE)
    path = None if pg else (args.db or "sala.db")
    if path is not None and not os.path.exists(path):
        raise _Refused(f"no store at {path} (give --db PATH or --pg CONNINFO)", STORE)
    return path, pg


def _open_lifecycle(args: argparse.Namespace) -> Any:
    """The platform and lifecycle the service would run, from its configuration."""
    from . import config as config_mod
    from .worker import Context, _open_backends
    path, pg = _store_location(args)
    try:
        cfg = config_mod.load(args.config or os.environ.get("SALA_CONFIG"), db=path, pg=pg)
    except config_mod.ConfigError as e:
        raise _Refused(str(e), USAGE) from None
    ctx = Context()
    try:
        _open_backends(cfg, ctx)
    except sala.Error as e:
        raise _Refused(f"cannot open the store or its backends: {e}", STORE) from None
    return ctx


def _accounts(args: argparse.Namespace) -> tuple[Any, Callable[[Any], str]]:
    if args.action == "list":
        dp = _open(args)
        view = sala.Platform.restore(dp.state())
        pools = [cv.pool_json(view, p) for p in dp.pools()]
        return pools, lambda ps: "\n".join(_line(p, ("id", "name", "kind", "takes_new_requests")) for p in ps)
    ctx = _open_lifecycle(args)
    if ctx.conferencing is None:
        raise _Refused("no conferencing backend is configured ([conferencing] backend in --config)", USAGE)
    if args.action == "users":
        users = [cv.account_user_json(u) for u in ctx.conferencing.list_users()]
        return users, lambda us: "\n".join(_line(u, ("user_id", "email", "owner", "licensed")) for u in us)
    if not args.name:
        raise _Refused(f"accounts {args.action}: give the pool's name", USAGE)
    known = {p.name: p for p in ctx.dp.pools()}
    if args.action == "relink" and args.name not in known:
        raise _Refused(f"accounts relink: no linked account named {args.name!r} (known: "
                       f"{', '.join(sorted(known)) or 'none'})")
    if args.action == "link" and args.name in known:
        raise _Refused(f"accounts link: {args.name!r} is already linked (sala accounts relink {args.name})")
    kind = known[args.name].kind if args.action == "relink" else sala.PoolKind(args.kind)
    r = ctx.dp.link_account(args.name, kind, ctx.conferencing.list_users())
    body = cv.link_json(r)
    return body, lambda b: (f"pool {b['pool']}: new rooms (inactive) {b['new_rooms'] or 'none'}; wasted "
                            f"licences {b['wasted_licences'] or 'none'}; unlicensed {b['unlicensed'] or 'none'}")


def _lifecycle_command(args: argparse.Namespace) -> tuple[Any, Callable[[Any], str]]:
    ctx = _open_lifecycle(args)
    if args.command == "problems":
        items = [cv.problem_json(x) for x in ctx.life.problems()] if ctx.life else []
        return items, lambda xs: "\n".join(_line(x, ("request", "room", "step", "failures", "last_error"))
                                           for x in xs)
    if ctx.life is None:
        raise _Refused("no conferencing backend is configured ([conferencing] backend in --config)", USAGE)
    req = ctx.dp.get_request(args.request)
    if args.command == "report":
        r = ctx.life.report_of(args.request)
        if r is None:
            raise _Refused(f"request {args.request}: no attendance report yet", NOTHING)
        if args.json:
            return cv.report_json(r, req.zone), lambda b: ""
        return r.csv(req.zone), lambda text: text.rstrip("\n")
    if args.now:
        generated = bool(ctx.life.generate_credentials_now(args.request, ctx.now()))
        if not generated:
            raise _Refused(f"request {args.request}: no credentials generated (not assigned, started, or "
                           "already issued)", NOTHING)
    c = ctx.life.credentials_of(args.request)
    if c is None:
        raise _Refused(f"request {args.request}: no credentials issued yet (--now generates them; "
                       "another process's show only with the same SALA_CREDENTIALS_KEY)", NOTHING)
    body = cv.credentials_json(c)
    return body, lambda b: "\n".join(f"{k}\t{v}" for k, v in b.items())


def _open(args: argparse.Namespace) -> Any:
    path, pg = _store_location(args)
    try:
        store = sala.PostgresStore.open(pg) if pg else sala.SqliteStore.open(path, create=False)
        return sala.DurablePlatform(store, sala.SystemClock())
    except sala.Error as e:
        raise _Refused(f"cannot open the store: {e}", STORE) from None


def _line(item: dict[str, Any], keys: tuple[str, ...]) -> str:
    return "\t".join("" if item.get(k) is None else str(item[k]) for k in keys)


_REQUEST_KEYS = ("id", "state", "room", "start", "zone", "duration", "title")
_ROOM_KEYS = ("id", "pool", "email", "active", "mode")


def _requests(dp: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    who = args.organizer.casefold() if args.organizer else None
    return [cv.request_json(dp, req, res) for req, res in
            cv.matching_requests(dp, who=who, state=args.state, room=args.room, event_id=args.event_id)]


def _settings(dp: Any, values: list[str]) -> dict[str, Any]:
    st = dp.state().settings.copy()
    for text in values:
        name, eq, value = text.partition("=")
        if not eq:
            raise _Refused(f"settings set: {text!r} is not NAME=VALUE", USAGE)
        if name not in cv.SETTINGS_FIELDS:
            raise _Refused(f"settings set: {name!r} is not a setting (known: {', '.join(cv.SETTINGS_FIELDS)})",
                           USAGE)
        if not value.isdigit() or len(value) > 9:
            raise _Refused(f"{name}: {value!r} is not a whole number of "
                           f"{'days' if 'days' in name else 'minutes'}")
        setattr(st, name, int(value))
    if not values:
        raise _Refused("settings set: give at least one NAME=VALUE", USAGE)
    dp.set_settings(st)
    return cv.settings_json(dp.state().settings)


def _to_room(dp: Any, method: str, rid: int, room: int) -> dict[str, Any]:
    a = getattr(dp, method)(rid, room)
    if not a:
        raise _Refused(f"room {room}: {a.reason}", NOTHING)
    return cv.assignment_json(dp, rid, a)


def _run(args: argparse.Namespace) -> tuple[Any, Callable[[Any], str]]:
    """The command's result and how to print it as lines."""
    if args.command in LIFECYCLE_COMMANDS:
        return _lifecycle_command(args)
    if args.command == "accounts":
        return _accounts(args)
    dp = _open(args)
    c = args.command
    if c == "rooms":
        if args.action == "list":
            return [cv.room_json(r) for r in dp.rooms()], lambda rs: "\n".join(_line(r, _ROOM_KEYS) for r in rs)
        if args.room is None:
            raise _Refused(f"rooms {args.action}: give the room id", USAGE)
        if args.action == "mode":
            if args.mode is None:
                raise _Refused("rooms mode: give the mode (automatic or manual)", USAGE)
            dp.set_mode(args.room, sala.RoomMode(args.mode))
        else:
            getattr(dp, args.action)(args.room)
        return cv.room_json(dp.get_room(args.room)), lambda r: _line(r, _ROOM_KEYS)
    if c in ("queue", "requests"):
        items = ([cv.request_json(dp, r, None, status="unassigned") for r in dp.queue()] if c == "queue"
                 else _requests(dp, args))
        return {"items": items}, lambda b: "\n".join(_line(r, _REQUEST_KEYS) for r in b["items"])
    if c == "submit":
        return {"items": _submit(dp, args)}, lambda b: "\n".join(_line(r, _REQUEST_KEYS) for r in b["items"])
    if c in ("assign", "reassign"):
        body = _to_room(dp, c, args.request, args.room)
        return body, lambda b: f"request {b['request']['id']} in room {b['room']}"
    if c == "cancel":
        body = cv.request_json(dp, dp.get_request(args.request), dp.reservation_of(args.request))
        dp.cancel(args.request)
        body.update(state="cancelled", room=None, status="cancelled")
        return body, lambda b: f"request {b['id']} cancelled"
    if c == "retry":
        a = dp.retry(args.request)
        if not a:
            raise _Refused(f"request {args.request} stays queued: {a.reason}", NOTHING)
        return cv.assignment_json(dp, args.request, a), lambda b: f"request {b['request']['id']} in room {b['room']}"
    body = cv.settings_json(dp.state().settings) if args.action == "show" else _settings(dp, args.values)
    return body, lambda b: "\n".join(f"{k}\t{v}" for k, v in b.items())


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        body, lines = _run(args)
    except _Refused as e:
        print(f"sala {args.command}: {e}", file=sys.stderr)
        return e.code
    except problems.ApiProblem as e:
        print(f"sala {args.command}: {e.detail}", file=sys.stderr)
        return REFUSED
    except sala.StoreError as e:
        print(f"sala {args.command}: store: {e}", file=sys.stderr)
        return STORE
    except sala.Error as e:  # not found, invalid argument, a booking rule
        print(f"sala {args.command}: {e}", file=sys.stderr)
        return REFUSED
    if args.json and not isinstance(body, str):
        print(json.dumps(body, indent=2))
    else:
        text = lines(body)
        if text:
            print(text)
    return OK


if __name__ == "__main__":
    sys.exit(main())
