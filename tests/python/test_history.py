"""History and bounded hot state on a real SQLite file, with a second OS
process on the same file: cancelled requests keep their record, finished ones
leave memory after the retention window, others' commits are taken in row by
row (R15, R17)."""

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest

import sala
from conftest import seed_2086_settings, symposium_users, utc, webinar


def open_platform(path, clock, settings=None):
    return sala.DurablePlatform(sala.SqliteStore.open(path), clock, settings)


def seeded(path, clock):
    p = open_platform(path, clock, seed_2086_settings())
    p.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    for r in range(1, 5):
        p.activate(sala.RoomId(r))
    p.set_mode(sala.RoomId(1), sala.RoomMode.AUTOMATIC)
    return p


def other_process(path, code):
    """Runs `code` in a new interpreter with `p` open on the same file; returns its stdout."""
    script = textwrap.dedent("""
        import datetime as dt, sala
        clock = sala.ManualClock(dt.datetime(2021, 5, 20, tzinfo=dt.timezone.utc))
        p = sala.DurablePlatform(sala.SqliteStore.open(PATH), clock)
    """).replace("PATH", repr(path)) + textwrap.dedent(code)
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-c", script], env=env, check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()


def test_a_cancelled_request_keeps_its_record(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    p = seeded(path, clock)
    a = p.submit(webinar("Keynote", 2021, 5, 12, 15, 5, 50, event="congress"))
    assert a.assignment
    clock.set(utc(2021, 5, 2, 9, 0))
    p.cancel(a.id)
    assert p.get_request(a.id).title == "Keynote"  # not NotFoundError any more
    h = p.history_of(a.id)
    assert h.status == sala.HistoryStatus.CANCELLED and h.command == "cancel"
    assert h.at == utc(2021, 5, 2, 9, 0) and h.room == sala.RoomId(1)
    assert [x.request.id for x in p.history(event="congress")] == [a.id]
    assert p.history(event="other") == []
    assert p.history(room=sala.RoomId(2)) == []
    assert len(p.history(window=h.request.window.blocked)) == 1
    with pytest.raises(sala.NotFoundError):
        p.get_request(sala.RequestId(99))
    with pytest.raises(sala.ArgumentTypeError, match="room"):
        p.history(room="one")
    # Another process reads it from the store.
    out = other_process(path, f"print(p.get_request(sala.RequestId({a.id.value})).title,"
                              f" p.history_of(sala.RequestId({a.id.value})).status)")
    assert out == "Keynote HistoryStatus.CANCELLED"


def test_finished_webinars_leave_memory_and_the_other_process_drops_them(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    p = seeded(path, clock)
    old = p.submit(webinar("Old", 2021, 5, 3, 10, 0, 50))
    new = p.submit(webinar("New", 2021, 5, 30, 10, 0, 50))
    assert old.assignment and new.assignment
    # The other process holds both.
    assert other_process(path, "print(len(p.state().requests))") == "2"
    clock.set(utc(2021, 5, 20))
    with pytest.raises(sala.InvalidArgumentError, match="retention"):
        p.archive_finished(dt.timedelta(minutes=-1))
    assert p.archive_finished(keep=lambda rid: rid == old.id) == 0
    assert p.archive_finished() == 1
    assert old.id not in p.state().requests and new.id in p.state().requests
    h = p.history_of(old.id)
    assert h.status == sala.HistoryStatus.FINISHED and h.command == "archive"
    # A new process loads only the live one; after a command it agrees.
    out = other_process(path, """
        before = p.reloads
        p.submit(sala.RequestInput("Third", dt.datetime(2021, 6, 1, 10, tzinfo=dt.timezone.utc), 50,
                                   "2086", sala.Organizer("Soporte", "support@symposium.events")))
        print(len(p.state().requests), p.reloads - before)
    """)
    assert out == "2 0"
    p.refresh()
    assert len(p.state().requests) == 2 and p.reloads == 0  # it created the store: no reload ever
    assert p.syncs >= 1


def test_settings_over_an_existing_store_are_applied_or_refused(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    seeded(path, clock)
    p = open_platform(path, clock, sala.Settings(preparation=40))
    assert p.state().settings.preparation == dt.timedelta(minutes=40)
    assert open_platform(path, clock).state().settings.preparation == dt.timedelta(minutes=40)
    with pytest.raises(sala.InvalidSettingsError):
        open_platform(path, clock, sala.Settings(min_duration=0))
    assert open_platform(path, clock).state().settings.preparation == dt.timedelta(minutes=40)
