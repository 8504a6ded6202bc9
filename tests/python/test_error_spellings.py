"""Errors raised into Python speak Python (issue 17): `choose=Choose.EARLIEST`, not
`choose::earliest`; Python class, enum and argument names instead of C++ ones. One test per
C++ spelling a sala message can carry (docs/python.md "Errors"), and no `::` anywhere."""

import datetime as dt
import re

import pytest

import sala
from conftest import Seed, madrid, seed_2086_settings, symposium_users, utc, webinar
from test_lifecycle import PyZoom

CPP_MARKS = ("::", "std::", "nullopt")


def python_spelled(text):
    return not any(mark in text for mark in CPP_MARKS)


def org():
    return sala.Organizer("Soporte", "support@symposium.events")


@pytest.mark.parametrize("start, error, hint", [
    (dt.datetime(2021, 3, 28, 2, 30), sala.NonexistentLocalTimeError, "take the transition instant"),
    (dt.datetime(2021, 10, 31, 2, 30), sala.AmbiguousLocalTimeError, "pick one"),
])
def test_R8_dst_errors_name_the_python_argument_and_enum(seed, start, error, hint):
    calls = [
        lambda: sala.to_instant(start, "Europe/Madrid"),
        lambda: seed.p.submit(title="x", start=start, zone="Europe/Madrid", duration=60, event_id="1",
                              organizer=org()),
        lambda: seed.p.submit(sala.RequestInput("x", start, 60, "1", org(), zone="Europe/Madrid")),
    ]
    for call in calls:
        with pytest.raises(error) as err:
            call()
        msg = str(err.value)
        assert "pass choose=Choose.EARLIEST or choose=Choose.LATEST to " + hint in msg, msg
        assert python_spelled(msg) and err.value.field == "start"
    # What the message says works.
    assert sala.to_instant(start, "Europe/Madrid", choose=sala.Choose.EARLIEST)


def test_a_pool_kind_in_a_message_is_the_python_enum_member(seed):
    with pytest.raises(sala.InvalidArgumentError) as err:
        seed.p.link_account("symposium", sala.PoolKind.LENT, symposium_users())
    assert err.value.field == "kind"
    assert str(err.value).endswith("is already linked as PoolKind.OWN"), str(err.value)


def test_the_cpp_field_from_is_sender_in_python():
    f = Seed()
    opts = sala.LifecycleOptions()
    opts.sender = sala.MailAddress("not an address", "sala")
    with pytest.raises(sala.InvalidArgumentError) as err:
        sala.Lifecycle(f.p, sala.FakeConferencing(), sala.FakeMailer(), opts)
    assert err.value.field == "sender" and str(err.value).startswith("sender: "), str(err.value)
    if sala.HAVE_OUTBOX:
        msg = sala.MailMessage(sender=sala.MailAddress("a@example.org", "Evil\r\nBcc: x@example.org"),
                               to=[sala.MailAddress("b@example.org")], subject="s", text_body="t",
                               idempotency_key="k")
        with pytest.raises(sala.InvalidArgumentError) as err:
            sala.format_rfc5322(msg)
        assert err.value.field == "sender.name" and str(err.value).startswith("sender.name: ")


class CallingBack(PyZoom):
    """A backend that calls sala back from inside a step, which sala refuses."""

    def __init__(self, call):
        super().__init__()
        self.call, self.errors = call, []

    def create_webinar(self, spec):
        try:
            self.call()
        except sala.ReentrantCommandError as e:
            self.errors.append(str(e))
        return super().create_webinar(spec)


def test_reentrant_calls_name_the_python_method_and_the_step_enum():
    f = Seed(seed_2086_settings()).activate_all()
    holder = {}
    zoom = CallingBack(lambda: holder["call"]())
    life = sala.Lifecycle(f.p, zoom, sala.FakeMailer())
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    holder["call"] = lambda: life.tick(utc(2021, 5, 1))
    life.tick(utc(2021, 5, 1))
    holder["call"] = lambda: f.p.cancel(s.id)
    f.p.reassign(s.id, f.r10)  # a new create_webinar for the move (R11)
    life.tick(utc(2021, 5, 1))
    tick_msg, command_msg = zoom.errors
    assert tick_msg.startswith("Lifecycle.tick was called from inside a step"), tick_msg
    assert "while the lifecycle is running step StepKind.CREATE_WEBINAR;" in command_msg, command_msg
    assert python_spelled(tick_msg) and python_spelled(command_msg)
    assert f.p.get_request(s.id)  # the refused cancel changed nothing


def signatures(obj):
    """pybind11's signature lines ("name(arg: type, ...) -> type") of a function or method."""
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str):
        return []
    return [ln for ln in doc.splitlines() if re.match(r"^\s*(\d+\. )?\w+\(.*\)( -> .*)?$", ln)]


def test_no_signature_names_a_cpp_type():
    """pybind11 writes C++ type names into signatures (and so into its "incompatible function
    arguments" TypeErrors) for types it does not know; every type a binding uses is bound."""
    bad = []
    for name in dir(sala):
        obj = getattr(sala, name)
        found = [(name, obj)]
        if isinstance(obj, type):
            found += [(f"{name}.{k}", v) for k, v in vars(obj).items() if not k.startswith("__")
                      or k == "__init__"]
        for where, member in found:
            bad += [(where, ln) for ln in signatures(member) if "::" in ln]
    assert bad == []
    assert signatures(sala.Platform.__init__), "the signature lines were not found"


def test_rejected_calls_across_the_api_never_spell_cpp(seed2086, tmp_path):
    p = seed2086.p
    s = p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    cases = [
        lambda: p.activate(99), lambda: p.get_request(99), lambda: p.set_mode(1, sala.RoomMode.MANUAL),
        lambda: p.deactivate(1), lambda: p.reassign(s.id, 1), lambda: p.assign(s.id, 1),
        lambda: p.submit(title="", start=madrid(2021, 6, 1, 9), duration=60, event_id="1", organizer=org()),
        lambda: p.set_settings(sala.Settings(min_duration=0)), lambda: p.set_policy("first_fit"),
        lambda: sala.check_zone("Mars/Olympus"), lambda: sala.Interval(utc(2021, 5, 2), utc(2021, 5, 1)),
        lambda: sala.find_make_room(p, s.id), lambda: sala.render_month(p, 2021, 13),
        lambda: sala.Lifecycle(p, sala.FakeConferencing(), sala.FakeMailer()).generate_credentials_now(99, utc(2021, 5, 1)),
    ]
    if sala.HAVE_SQLITE:
        cases.append(lambda: sala.SqliteStore.open(str(tmp_path / "missing" / "x.db"), create=False))
    for case in cases:
        with pytest.raises(sala.Error) as err:
            case()
        assert python_spelled(str(err.value)), str(err.value)
