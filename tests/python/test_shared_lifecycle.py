"""DurableLifecycle for several processes (docs/lifecycle.md, "Several processes",
"Credentials at rest"): the options, and credentials that survive a restart."""

import datetime

import pytest

import sala
from conftest import madrid, seed_2086_settings, symposium_users, utc, webinar

KEY = "0f" * 32


def test_shared_lifecycle_options_check_and_never_echo_the_key():
    o = sala.LifecycleOptions()
    assert o.credentials_key is False
    o.credentials_key = KEY
    assert o.credentials_key is True  # reads back as set, never the key
    assert o.claim_ttl == datetime.timedelta(minutes=5)
    o.claim_ttl = 2.5
    assert o.claim_ttl == datetime.timedelta(seconds=2.5)
    o.ticker_lease = datetime.timedelta(seconds=30)
    assert o.ticker_lease == datetime.timedelta(seconds=30)
    with pytest.raises(sala.InvalidArgumentError):
        o.ticker_lease = "soon"
    o.holder = "web-1"
    assert o.holder == "web-1"
    bad = sala.LifecycleOptions()
    bad.credentials_key = "abc123" * 3
    p = sala.Platform(seed_2086_settings(), sala.ManualClock(utc(2021, 5, 1)))
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.Lifecycle(p, sala.FakeConferencing(symposium_users()), sala.FakeMailer(), bad)
    assert "credentials_key" in str(e.value) and "abc123" not in str(e.value)


@pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")
def test_R12_R16_credentials_stay_in_the_organizers_view_after_a_restart(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    zoom, mail = sala.FakeConferencing(symposium_users(), clock), sala.FakeMailer()
    o = sala.LifecycleOptions()
    o.credentials_key = KEY

    def host():
        dp = sala.DurablePlatform(sala.SqliteStore.open(path), clock, seed_2086_settings())
        return dp, sala.DurableLifecycle(dp, zoom, mail, o)

    dp, lc = host()
    rep = dp.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    dp.activate(rep.new_rooms[0])
    dp.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    s = dp.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    lc.tick(madrid(2021, 5, 12, 15, 3))
    first = lc.credentials_of(s.id)
    assert first is not None and lc.holder.startswith("sala-")
    # Another process on the same file, started after: same credentials, from the store.
    dp2, lc2 = host()
    lc2.take_in()
    assert lc2.credentials_of(s.id).password == first.password
    del lc, dp, lc2, dp2
    dp, lc = host()  # a restart
    assert lc.credentials_of(s.id).password == first.password
    assert first.password in [m.text_body for m in mail.sent() if m.idempotency_key.startswith("credentials/")][0]
    assert lc.is_ticker is False  # no ticker lease configured
