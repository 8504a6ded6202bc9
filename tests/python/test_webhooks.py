"""sala.OutboxDispatcher, the webhook planner switch and the Standard Webhooks
functions from Python, over a real SQLite file."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

import sala

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks specification's example
MADRID = ZoneInfo("Europe/Madrid")


def durable(tmp_path, webhooks=True):
    store = sala.SqliteStore.open(str(tmp_path / "s.db"))
    clock = sala.ManualClock(dt.datetime(2031, 5, 1, tzinfo=dt.timezone.utc))
    dp = sala.DurablePlatform(store, clock)
    if webhooks:
        dp.enable_webhooks()
    room = dp.link_account("x", sala.PoolKind.OWN, [sala.AccountUser("u1", "room1@example.org")]).new_rooms[0]
    dp.activate(room)
    dp.set_mode(room, sala.RoomMode.AUTOMATIC)
    return store, clock, dp


def submit(dp, title="T"):
    return dp.submit(title=title, start=dt.datetime(2031, 6, 1, 9, tzinfo=MADRID), duration=60, event_id="e",
                     organizer=sala.Organizer("Ana", "ana@example.org"))


def test_sign_and_verify_the_specification_example_with_str_or_bytes():
    body = '{"test": 2432232314}'
    sig = sala.sign_webhook(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert sala.sign_webhook(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body.encode()) == sig
    ok = sala.verify_webhook(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", sig, body.encode(),
                             now=1614265330)
    assert ok and ok.valid and ok.reason == ""
    stale = sala.verify_webhook(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", sig, body,
                                now=1614265330 + 301)
    assert not stale and "tolerance" in stale.reason
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.sign_webhook("whsec_NOTBASE64*", "id", 1, body)
    assert e.value.field == "secret" and "NOTBASE64" not in str(e.value)
    with pytest.raises(sala.InvalidArgumentError):
        sala.sign_webhook(SECRET, "id", 1, 42)
    assert sala.webhook_secret_problem(sala.generate_webhook_secret()) == ""


def test_the_planner_writes_webhook_effects_only_when_enabled(tmp_path):
    store, clock, dp = durable(tmp_path, webhooks=False)
    submit(dp)
    seen = []
    d = sala.OutboxDispatcher(store, clock)
    d.on(sala.WEBHOOK_EFFECT_KIND, seen.append)
    assert d.dispatch().sent == 0 and seen == []
    dp.enable_webhooks()
    b = submit(dp)
    dp.cancel(b.id)
    r = d.dispatch()
    assert (r.sent, r.retrying, r.failed) == (2, 0, 0)
    types = [json.loads(e.payload)["type"] for e in seen]
    assert types == ["request.queued", "request.cancelled"]
    assert all(e.kind == "webhook" and e.idempotency_key.startswith("webhook/") for e in seen)
    assert d.dispatch().sent == 0  # done once


def test_a_raising_handler_is_retried_a_non_retryable_one_gives_up_and_no_handler_fails(tmp_path):
    store, clock, dp = durable(tmp_path)
    submit(dp)
    d = sala.OutboxDispatcher(store, clock)

    def flaky(effect):
        raise RuntimeError("receiver down")
    d.on("webhook", flaky)
    assert d.dispatch().retrying == 1
    assert d.dispatch().retrying == 0  # backing off: not due yet
    clock.advance(2)
    d.on("webhook", lambda effect: (_ for _ in ()).throw(sala.BackendError("gone", retryable=False)))
    assert d.dispatch().failed == 1
    submit(dp, "other")
    assert sala.OutboxDispatcher(store, clock).dispatch().failed == 1  # no handler for "webhook"
    with pytest.raises(sala.InvalidArgumentError):
        d.on("", print)
    with pytest.raises(sala.InvalidArgumentError):
        d.on("webhook", 42)
    with pytest.raises(sala.InvalidArgumentError):
        sala.OutboxDispatcher("not a store")
