"""Randomized calls to the Python API with hostile values (python3-hypothesis).
After every call: a rejected call raised sala's own error naming what was
wrong (a field, a kind or a rule) and left the state exactly as it was; an
accepted one kept every request reserved or queued once. Bounded here; a
longer run: SALA_HYPOTHESIS_EXAMPLES=20000 (docs/python.md, "Hostile inputs")."""

import datetime as dt
import os
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sala
from conftest import symposium_users, utc

EXAMPLES = int(os.environ.get("SALA_HYPOTHESIS_EXAMPLES", "150"))
MADRID = ZoneInfo("Europe/Madrid")

ugly_ints = st.one_of(st.integers(-3, 600), st.sampled_from([-1, 0, 2**31, 2**32, 2**63, -2**63, 2**80]))
ugly_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\u00a0", "\u200b", "ok", "a\r\nBcc: x", "x\u0085", "\u202e",
                     "\ud800", "a\u2028", "x" * 201, "Taller 1, parte 2", "\x1b[31m"]),
    st.binary(max_size=8),
)
ugly_email = st.one_of(ugly_text, st.sampled_from(["a@b.org", "josé@example.org", "a@@b", "a b@c",
                                                   "ok+tag@sub.example.org", ".a@b", "a@b\r\n"]))
ugly_start = st.one_of(
    st.datetimes(min_value=dt.datetime(2021, 5, 1), max_value=dt.datetime(2021, 9, 1),
                 timezones=st.just(MADRID)),
    st.datetimes(min_value=dt.datetime(2021, 5, 1), max_value=dt.datetime(2021, 9, 1)),  # naive
    st.sampled_from([None, "2021-05-12 10:00", 0, dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
                     dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone.utc)]),
)
ugly_duration = st.one_of(ugly_ints, st.sampled_from([dt.timedelta(minutes=50), dt.timedelta(seconds=30),
                                                      dt.timedelta(days=10**6), 1.5, "50", None]))
ugly_id = st.one_of(ugly_ints, st.builds(sala.RoomId, st.integers(0, 6)),
                    st.builds(sala.RequestId, st.integers(0, 6)), st.sampled_from([None, "1", 1.0, True]))
ugly_mode = st.one_of(st.sampled_from(list(sala.RoomMode)), st.sampled_from(["automatic", 1, None]))


@st.composite
def request_call(draw):
    return ("submit", dict(
        title=draw(ugly_text), start=draw(ugly_start), duration=draw(ugly_duration),
        event_id=draw(ugly_text), organizer_email=draw(ugly_email),
        zone=draw(st.sampled_from([None, "Europe/Madrid", "Mars/Olympus", "UTC", 5])),
        expected_attendees=draw(st.one_of(st.none(), ugly_ints)),
        panelists=draw(st.one_of(st.lists(ugly_email, max_size=3), st.sampled_from(["a@b.org", 7])))))


@st.composite
def command(draw):
    kind = draw(st.sampled_from(["submit", "assign", "reassign", "cancel", "retry", "activate",
                                 "deactivate", "set_mode", "link", "settings", "get_room", "retry_queue"]))
    if kind == "submit":
        return draw(request_call())
    if kind in ("assign", "reassign"):
        return (kind, (draw(ugly_id), draw(ugly_id)))
    if kind in ("cancel", "retry", "activate", "deactivate", "get_room"):
        return (kind, (draw(ugly_id),))
    if kind == "set_mode":
        return (kind, (draw(ugly_id), draw(ugly_mode)))
    if kind == "link":
        users = draw(st.lists(st.tuples(ugly_text, ugly_email, ugly_text, st.one_of(ugly_ints, st.just(100))),
                              max_size=2))
        return (kind, (draw(ugly_text), users))
    if kind == "settings":
        return (kind, dict(preparation=draw(ugly_duration), courtesy=draw(st.integers(-2, 30)), credentials_lead=0,
                           min_days_in_advance=draw(ugly_ints)))
    return (kind, ())


def snapshot(p):
    s = p.state()
    return (s.settings, s.policy, s.pools, s.rooms, dict(s.requests), dict(s.reservations), s.queue,
            s.next_request)


def run(p, cmd):
    kind, args = cmd
    if kind == "submit":
        args = dict(args)
        args["organizer"] = sala.Organizer("Soporte", args.pop("organizer_email"))
        return p.submit(**args)
    if kind == "link":
        name, users = args
        built = [sala.AccountUser(u, e, d, capacity=c) for u, e, d, c in users]
        return p.link_account(name, sala.PoolKind.OWN, built)
    if kind == "settings":
        return p.set_settings(sala.Settings(**args))
    if kind == "get_room":
        return p.get_room(*args)
    return getattr(p, kind)(*args)


def names_what_was_wrong(e):
    if "::" in str(e):  # Python spellings only (docs/python.md "Messages speak Python")
        return False
    if isinstance(e, sala.InvalidArgumentError):
        return bool(e.field)
    if isinstance(e, sala.NotFoundError):
        return bool(e.kind)
    if isinstance(e, sala.RuleViolationError):
        return bool(e.rule)
    return False


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(command(), min_size=1, max_size=25))
def test_random_hostile_calls_are_whole_or_nothing_with_named_errors(cmds):
    p = sala.Platform(sala.Settings(preparation=30, courtesy=0, post_processing=6),
                      sala.ManualClock(utc(2021, 5, 1)))
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    for r in (1, 2):
        p.activate(r)
        p.set_mode(r, sala.RoomMode.AUTOMATIC)
    for cmd in cmds:
        before = snapshot(p)
        try:
            run(p, cmd)
        except sala.Error as e:
            assert names_what_was_wrong(e), f"{type(e).__name__} names nothing: {e} for {cmd!r}"
            assert snapshot(p) == before, f"rejected {cmd!r} changed the state"
        st_ = p.state()
        for rid in st_.requests:
            assert (rid in st_.reservations) + st_.queue.count(rid) == 1
        for rq in st_.requests.values():
            sala.validate_email(rq.organizer.email, "organizer.email")  # mailable
        for room in st_.rooms:
            assert room.display_name == room.display_name.encode("utf-8").decode("utf-8")


addresses = st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\.[A-Za-z0-9_-]{1,5})?@[A-Za-z0-9-]{1,8}(\.[a-z]{2,4})?",
                          fullmatch=True)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(addresses, ugly_email), st.text(max_size=40))
def test_what_the_door_accepts_the_mail_formatter_accepts(email, name):
    if not hasattr(sala, "format_rfc5322"):
        return
    try:
        sala.validate_email(email, "email")
        sala.Organizer(name, email)
        sala.validate_fields(sala.RequestInput("t", dt.datetime(2030, 1, 1, 10, 0, tzinfo=MADRID), 60, "e",
                                               sala.Organizer(name, email)))
    except sala.InvalidArgumentError:
        return
    msg = sala.MailMessage(sender=sala.MailAddress("no-reply@sala.example", "sala"),
                           to=[sala.MailAddress(email, name)], subject="Credenciales", text_body="hola")
    assert sala.format_rfc5322(msg)  # never refuses what the door let in
