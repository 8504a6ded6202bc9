"""Ports implemented in Python: Clock, Mailer, Conferencing (trampolines), kept
alive by C++, called with the GIL, and their exceptions turned into BackendError."""

import datetime as dt
import gc
import threading
import weakref

import pytest

import sala
from conftest import UTC, symposium_users, utc, webinar


class StepClock(sala.Clock):
    def __init__(self, start):
        super().__init__()
        self.t = start
        self.calls = 0

    def now(self):
        self.calls += 1
        return self.t


class RecordingMailer(sala.Mailer):
    def __init__(self, fail_first=0, error=None):
        super().__init__()
        self.sent, self.fail_first, self.error = [], fail_first, error

    def send(self, message):
        if self.fail_first:
            self.fail_first -= 1
            raise self.error or ConnectionError("smtp down")
        self.sent.append(message)


def message(key="k/1"):
    return sala.MailMessage(sender=sala.MailAddress("no-reply@sala.invalid", "sala"),
                            to=[sala.MailAddress("ana@uni.example", "Ana")], subject="Credenciales: sesión",
                            text_body="hola", idempotency_key=key)


def test_a_python_clock_drives_the_platform_and_is_kept_alive():
    p = sala.Platform(sala.Settings(), StepClock(utc(2021, 5, 1)))  # no other reference to the clock
    gc.collect()
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    p.activate(1)
    p.set_mode(1, sala.RoomMode.AUTOMATIC)
    assert p.now() == utc(2021, 5, 1)
    s = p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert s.assignment.room == sala.RoomId(1)
    with pytest.raises(sala.InvalidArgumentError) as e:
        p.submit(webinar("past", 2021, 4, 30, 9, 0, 50))  # R8 measured against the Python clock
    assert e.value.field == "start"


def test_the_platform_releases_a_python_clock_when_it_goes():
    clock = StepClock(utc(2021, 5, 1))
    ref = weakref.ref(clock)
    p = sala.Platform(clock=clock)
    del clock
    gc.collect()
    assert ref() is not None  # held by the platform
    del p
    gc.collect()
    assert ref() is None  # and let go with it: no leak


def test_a_python_clock_that_raises_reaches_the_caller_as_backend_error():
    class Broken(sala.Clock):
        def now(self):
            raise RuntimeError("ntp unreachable")

    class Naive(sala.Clock):
        def now(self):
            return dt.datetime(2021, 5, 1)

    p = sala.Platform(clock=Broken())
    with pytest.raises(sala.BackendError) as e:
        p.now()
    assert e.value.retryable and "Clock.now raised RuntimeError: ntp unreachable" in str(e.value)
    with pytest.raises(sala.BackendError) as e:
        sala.Platform(clock=Naive()).now()
    assert not e.value.retryable and "naive" in str(e.value)


def test_unimplemented_port_methods_are_backend_errors_not_crashes():
    class Lazy(sala.Clock):
        pass

    class Mute(sala.Mailer):
        pass

    with pytest.raises(sala.BackendError):
        sala.Platform(clock=Lazy()).now()
    with pytest.raises(sala.BackendError) as e:
        sala.Mailer.send(Mute(), message())
    assert "pure virtual" in str(e.value) or "not implemented" in str(e.value)


def test_a_python_mailer_called_from_cpp_gets_a_copy():
    m = RecordingMailer()
    msg = message()
    sala.Mailer.send(m, msg)  # through the C++ virtual and the trampoline
    assert m.sent == [msg] and m.sent[0] is not msg
    assert m.sent[0].subject == "Credenciales: sesión"
    assert m.sent[0].to[0].email == "ana@uni.example"


def test_python_mailer_exceptions_become_backend_errors_with_retry_hints():
    m = RecordingMailer(fail_first=1)
    with pytest.raises(sala.BackendError) as e:
        sala.Mailer.send(m, message())
    assert e.value.retryable and "Mailer.send raised ConnectionError: smtp down" in str(e.value)
    sala.Mailer.send(m, message())  # the retry goes through
    assert len(m.sent) == 1
    m = RecordingMailer(fail_first=1, error=sala.BackendError("mailbox full", retryable=False,
                                                              retry_after_seconds=120))
    with pytest.raises(sala.BackendError) as e:
        sala.Mailer.send(m, message())
    assert (e.value.retryable, e.value.retry_after_seconds) == (False, 120)


def test_keyboard_interrupt_in_a_port_is_not_swallowed():
    class Interrupted(sala.Mailer):
        def send(self, message):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sala.Mailer.send(Interrupted(), message())


class FakeZoom(sala.Conferencing):
    """A conferencing backend in Python (what a host might write against its own API)."""

    def __init__(self):
        super().__init__()
        self.webinars, self.calls = {}, []

    def list_users(self):
        return symposium_users()

    def create_webinar(self, spec):
        self.calls.append(("create", spec.topic, spec.start, spec.duration))
        wid = str(len(self.webinars) + 1)
        self.webinars[wid] = spec
        return sala.WebinarHandle(wid, f"https://zoom.invalid/j/{wid}", f"https://zoom.invalid/s/{wid}")

    def delete_webinar(self, webinar_id):
        self.webinars.pop(webinar_id, None)

    def end_webinar(self, webinar_id):
        self.calls.append(("end", webinar_id))

    def set_user_password(self, user_id, password):
        self.calls.append(("password", user_id))

    def participants_report(self, webinar_id):
        return [sala.Participant("Ana", "ana@uni.example", utc(2021, 5, 12, 13, 5), utc(2021, 5, 12, 13, 55), 3000)]

    def list_recordings(self, webinar_id):
        return [sala.RecordingFile("r1", "MP4", "https://zoom.invalid/r1", 1024)]

    def download_recording(self, file, destination_path):
        raise OSError("disk full")

    def trash_recordings(self, webinar_id):
        self.calls.append(("trash", webinar_id))

    def apply_room_settings(self, user_id, settings):
        self.calls.append(("settings", user_id, settings.waiting_room))


def test_a_python_conferencing_backend_through_the_cpp_interface():
    z = FakeZoom()
    C = sala.Conferencing
    assert [u.email for u in C.list_users(z)][1] == "symposiumwebinar09@symposium.events"
    spec = sala.WebinarSpec()
    spec.host_user_id, spec.topic, spec.start, spec.duration = "u09", "sesión", utc(2021, 5, 12, 13, 5), 50
    h = C.create_webinar(z, spec)
    assert h == sala.WebinarHandle("1", "https://zoom.invalid/j/1", "https://zoom.invalid/s/1")
    assert z.calls[0] == ("create", "sesión", utc(2021, 5, 12, 13, 5), dt.timedelta(minutes=50))
    [part] = C.participants_report(z, "1")
    assert part.join_time.tzinfo is UTC and part.duration_seconds == 3000
    assert C.list_recordings(z, "1")[0].file_type == "MP4"
    C.apply_room_settings(z, "u09", sala.RoomSettings())
    assert z.calls[-1] == ("settings", "u09", False)
    C.delete_webinar(z, "1")
    assert z.webinars == {}
    with pytest.raises(sala.BackendError) as e:
        C.download_recording(z, sala.RecordingFile("r1"), "/tmp/x.mp4")
    assert e.value.retryable and "OSError: disk full" in str(e.value)
    C.trash_recordings(z, "1")
    assert z.calls[-1] == ("trash", "1")

    class BadZoom(FakeZoom):
        def list_recordings(self, webinar_id):
            return 42  # wrong return type: a bug in the port, not worth retrying

    with pytest.raises(sala.BackendError) as e:
        C.list_recordings(BadZoom(), "1")
    assert not e.value.retryable


def test_threads_share_a_platform_with_python_ports_without_deadlock():
    """Calls release the GIL and serialize on one lock; Python callbacks
    (clock, listener) re-take the GIL from C++ on any thread."""
    clock = StepClock(utc(2021, 5, 1))
    p = sala.Platform(sala.Settings(preparation=0, courtesy=0, post_processing=0, credentials_lead=0), clock)
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    for r in range(1, 5):
        p.activate(r)
        p.set_mode(r, sala.RoomMode.AUTOMATIC)
    seen = []
    p.subscribe(lambda e: seen.append(e.kind))
    errors = []

    def worker(day):
        try:
            for k in range(25):
                start = dt.datetime(2021, 6, day, 0, 0, tzinfo=UTC) + dt.timedelta(minutes=30 * k)
                p.submit(title=f"t{day}-{k}", start=start, duration=30, event_id="2086",
                         organizer=sala.Organizer("A", "a@x.org"))
                p.rooms()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(d,)) for d in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(p.reservations()) == 100 and p.queue() == []
    assert seen.count(sala.EventKind.SUBMITTED) == 100 and clock.calls >= 100


def test_a_listener_exception_reaches_the_caller_after_the_command():
    p = sala.Platform(clock=sala.ManualClock(utc(2021, 5, 1)))

    def boom(event):
        raise ValueError("listener bug")

    p.subscribe(boom)
    with pytest.raises(ValueError, match="listener bug"):
        p.link_account("x", sala.PoolKind.OWN, [sala.AccountUser("a", "a@x.org")])
    assert len(p.rooms()) == 1  # the command happened; only the listener failed


def test_listener_events_are_copies():
    p = sala.Platform(clock=sala.ManualClock(utc(2021, 5, 1)))
    got = []
    p.subscribe(got.append)
    p.link_account("x", sala.PoolKind.OWN, [sala.AccountUser("a", "a@x.org")])
    p.activate(1)
    del p
    gc.collect()
    assert [e.kind for e in got] == [sala.EventKind.LINKED, sala.EventKind.ROOM_CHANGED]
    assert got[1].room == sala.RoomId(1) and got[1].request is None
