"""Hostile callers of the Python module: inputs changed by another thread (or
a port) while a call runs, ports and listeners that call back, values out of
every range, text that only looks harmless, store files pulled away. Each one
gets sala's own error naming the field, and state stays whole."""

import datetime as dt
import os
import threading

import pytest

import sala
from conftest import Seed, madrid, seed_2086_settings, symposium_users, utc, webinar
from test_lifecycle import PyMailer, PyZoom, run_minutes


def consistent(p):
    st = p.state()
    for rid in st.requests:
        assert (rid in st.reservations) + st.queue.count(rid) == 1, rid
    return True


def field_of(call):
    with pytest.raises(sala.InvalidArgumentError) as e:
        call()
    assert e.value.field, str(e.value)
    return e.value.field


# ---- inputs are copied before the GIL is released --------------------------------------


class MeddlingClock(sala.Clock):
    """Changes the input while submit is running (the clock is read mid-submit)."""

    def __init__(self, start):
        super().__init__()
        self.t, self.target = start, None

    def now(self):
        if self.target is not None:
            self.target.title = "changed\r\nBcc: x@evil.example"
            self.target.organizer = sala.Organizer("x", "x@evil.example")
        return self.t


def test_an_input_changed_during_submit_does_not_reach_the_platform():
    clock = MeddlingClock(utc(2021, 5, 1))
    p = sala.Platform(seed_2086_settings(), clock)
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    p.activate(1)
    p.set_mode(1, sala.RoomMode.AUTOMATIC)
    inp = webinar("Original", 2021, 5, 12, 15, 5, 50)
    clock.target = inp
    s = p.submit(inp)
    clock.target = None
    stored = p.get_request(s.id)
    assert stored.title == "Original"
    assert stored.organizer.email == "support@symposium.events"
    assert inp.title.startswith("changed")  # the caller's object did change meanwhile


def test_threads_changing_inputs_never_get_bad_titles_in(tmp_path):
    """A second thread flips title and settings while the first submits. Run it
    under AddressSanitizer with scripts/asan_python_threads (docs/python.md)."""
    p = sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "s.db")),
                             sala.ManualClock(utc(2021, 5, 1)), seed_2086_settings())
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    for r in range(1, 5):
        p.activate(r)
        p.set_mode(r, sala.RoomMode.AUTOMATIC)
    inp = webinar("ok", 2021, 5, 12, 15, 5, 50)
    settings = seed_2086_settings()
    stop = threading.Event()

    def flip():
        bad = True
        while not stop.is_set():
            inp.title = "bad\r\nBcc: x" if bad else "ok " * 30
            settings.preparation = -5 if bad else 3
            bad = not bad

    t = threading.Thread(target=flip)
    t.start()
    try:
        for _ in range(300):
            try:
                p.submit(inp)
            except sala.InvalidArgumentError as e:
                assert e.field == "title"
            try:
                p.set_settings(settings)
            except sala.InvalidSettingsError as e:
                assert e.field == "preparation"
    finally:
        stop.set()
        t.join()
    st = p.state()
    assert all("\r" not in r.title and "\n" not in r.title for r in st.requests.values())
    assert st.settings.preparation >= dt.timedelta(0)
    assert consistent(p)


# ---- ports and listeners that call back ---------------------------------------------------


def test_a_mailer_that_cancels_the_request_it_mails_is_refused_not_freed():
    f = Seed(seed_2086_settings()).activate_all()
    seen = []

    class CancellingMailer(PyMailer):
        def send(self, message):
            if message.idempotency_key.startswith("credentials/"):
                rid = int(message.idempotency_key.split("/")[1])
                try:
                    f.p.cancel(rid)
                except sala.ReentrantCommandError as e:
                    seen.append(str(e))
            super().send(message)

    mail = CancellingMailer()
    lc = sala.Lifecycle(f.p, PyZoom(), mail)
    ids = [f.p.submit(webinar(f"W{k}", 2021, 5, 12, 9 + k, 5, 50, event=f"e{k}")).id for k in range(3)]
    run_minutes(lc, madrid(2021, 5, 12, 8, 0), madrid(2021, 5, 12, 12, 30))
    assert len(seen) == 3 and "StepKind.MAIL_CREDENTIALS" in seen[0]
    assert all(f.p.get_request(i) for i in ids)  # nothing was cancelled under the step
    creds = [m for m in mail.sent if m.idempotency_key.startswith("credentials/")]
    assert len(creds) == 3
    for m in creds:  # each mail carries its own request's title, no garbage
        rid = int(m.idempotency_key.split("/")[1])
        assert f.p.get_request(rid).title in m.subject + m.text_body


def test_a_port_cannot_tick_the_lifecycle_it_is_called_from():
    f = Seed(seed_2086_settings()).activate_all()
    errors = []
    holder = {}

    class Ticking(PyMailer):
        def send(self, message):
            try:
                holder["lc"].tick(utc(2021, 5, 12))
            except sala.ReentrantCommandError as e:
                errors.append(str(e))
            super().send(message)

    lc = holder["lc"] = sala.Lifecycle(f.p, PyZoom(), Ticking())
    f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    run_minutes(lc, madrid(2021, 5, 12, 14, 50), madrid(2021, 5, 12, 15, 10))
    assert errors and "tick was called from inside a step" in errors[0]


def test_a_listener_that_raises_on_submitted_leaves_the_request_whole(seed2086):
    p = seed2086.p

    def boom(event):
        if event.kind is sala.EventKind.SUBMITTED:
            raise ValueError("listener bug")

    p.subscribe(boom)
    with pytest.raises(ValueError, match="listener bug"):
        p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert len(p.state().requests) == 1 and len(p.reservations()) == 1
    assert consistent(p)


def test_a_listener_that_submits_inside_the_callback(seed2086):
    p = seed2086.p
    done = []

    def again(event):
        if event.kind is sala.EventKind.SUBMITTED and not done:
            done.append(len(p.reservations()))
            p.submit(webinar("B", 2021, 5, 12, 15, 5, 50))

    p.subscribe(again)
    p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert done == [1] and len(p.reservations()) == 2 and consistent(p)


def test_a_huge_retry_after_is_capped_to_a_day():
    f = Seed(seed_2086_settings()).activate_all()

    class Limited(PyZoom):
        def __init__(self, seconds):
            super().__init__()
            self.seconds = seconds

        def create_webinar(self, spec):
            raise sala.BackendError("429", retryable=True, retry_after_seconds=self.seconds)

    for seconds in (2**31 - 1, 2**70, -5):
        p = Seed(seed_2086_settings()).activate_all().p
        lc = sala.Lifecycle(p, Limited(seconds), PyMailer())
        s = p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
        now = utc(2021, 5, 1)
        lc.tick(now)
        step = lc.state().webinars[s.id].steps[sala.StepKind.CREATE_WEBINAR]
        assert step.failures == 1
        assert now < step.next_attempt <= now + dt.timedelta(days=1), (seconds, step.next_attempt)
    assert f  # the seed itself is untouched


# ---- values out of range, wrong types, bad text: sala's error, naming the field ----------


def test_out_of_range_numbers_name_their_field(seed2086):
    p = seed2086.p
    assert field_of(lambda: webinar("A", 2021, 5, 12, 15, 5, 2**63)) == "duration"
    assert field_of(lambda: sala.Settings(preparation=2**63)) == "preparation"
    assert field_of(lambda: sala.Settings(min_days_in_advance=2**31)) == "min_days_in_advance"
    s = sala.Settings()
    with pytest.raises(sala.InvalidArgumentError) as e:
        s.max_days_in_advance = 2**31
    assert e.value.field == "max_days_in_advance"
    assert field_of(lambda: p.get_room(-1)) == "room"
    assert field_of(lambda: p.cancel(2**64)) == "request"
    assert field_of(lambda: p.assign(1, 2**32)) == "room"
    assert field_of(lambda: p.activate("1")) == "room"
    assert field_of(lambda: sala.RequestInput("A", madrid(2021, 5, 12, 15, 5), 50, "e",
                                              sala.Organizer("a", "a@b.org"),
                                              expected_attendees=2**31)) == "expected_attendees"
    assert field_of(lambda: sala.AccountUser("u", "a@b.org", capacity=2**31)) == "capacity"
    assert field_of(lambda: p.submit(title="A", start=madrid(2021, 5, 12, 15, 5), duration=50,
                                     event_id="e", organizer=sala.Organizer("a", "a@b.org"),
                                     panelists=["ok@x.org", 7])) == "panelists[1]"
    assert field_of(lambda: p.submit("not an input")) == "input"
    assert p.state().requests == {}


def test_strings_that_cannot_be_text_name_their_field(seed2086):
    p = seed2086.p
    assert field_of(lambda: webinar("\ud800", 2021, 5, 12, 15, 5, 50)) == "title"
    assert field_of(lambda: webinar(b"\xff", 2021, 5, 12, 15, 5, 50)) == "title"
    assert field_of(lambda: sala.AccountUser("u", "a@b.org", b"\xff")) == "display_name"
    inp = webinar("A", 2021, 5, 12, 15, 5, 50)
    with pytest.raises(sala.InvalidArgumentError) as e:
        inp.event_id = "\udcff"
    assert e.value.field == "event_id"
    for title in ("x\u0085y", "x\u009b", "a\u2028b", "\u00a0", "\u200b", "\u202eabc"):
        inp.title = title
        assert field_of(lambda: p.submit(inp)) == "title", repr(title)
    inp.title = "A"
    inp.organizer = sala.Organizer("José", "josé@example.org")
    assert field_of(lambda: p.submit(inp)) == "organizer.email"
    assert p.state().requests == {}


def test_linked_names_are_checked_and_rooms_stay_readable(seed):
    p = seed.p
    for user, field in ((sala.AccountUser("u1", "a@x.org", "Sala\r\n1"), "users[0].display_name"),
                        (sala.AccountUser("u\n1", "a@x.org", "Sala"), "users[0].user_id"),
                        (sala.AccountUser("u1", "a@x.org\r\n", "Sala"), "users[0].email")):
        before = p.state()
        assert field_of(lambda: p.link_account("other", sala.PoolKind.OWN, [user])) == field
        assert p.state() == before
    assert field_of(lambda: p.link_account("acc\r\n", sala.PoolKind.OWN, [])) == "name"
    assert all(r.display_name.isprintable() for r in p.rooms())


# ---- the store file pulled away ----------------------------------------------------------


def _fresh(path):
    p = sala.DurablePlatform(sala.SqliteStore.open(path), sala.ManualClock(utc(2021, 5, 1)),
                             seed_2086_settings())
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    p.activate(1)
    p.set_mode(1, sala.RoomMode.AUTOMATIC)
    return p


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_a_store_replaced_or_deleted_under_an_open_platform_fails_loudly(tmp_path, how):
    path = str(tmp_path / "s.db")
    p = _fresh(path)
    acknowledged = [p.submit(webinar(f"W{k}", 2021, 5, 12, 9 + k, 5, 50)).id for k in range(2)]
    if how == "replaced":
        other = str(tmp_path / "other.db")
        _fresh(other)
        os.replace(other, path)
    else:
        os.remove(path)
    with pytest.raises(sala.StoreError, match=how):
        p.submit(webinar("lost?", 2021, 5, 13, 9, 5, 50))
    assert len(p.state().requests) == 2  # memory as the store it really wrote to
    assert len(acknowledged) == 2


def test_an_empty_or_special_file_is_not_turned_into_a_store(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(sala.StoreError, match="empty file"):
        sala.SqliteStore.open(str(empty), create=False)
    assert empty.stat().st_size == 0
    with pytest.raises(sala.StoreError, match="directory"):
        sala.SqliteStore.open(str(tmp_path), create=False)
    with pytest.raises(sala.StoreError, match="not a regular file"):
        sala.SqliteStore.open("/dev/zero")
    assert not os.path.exists("/dev/zero-journal") and not os.path.exists("/dev/zero-wal")
