"""PostgresStore from Python against a throw-away PostgreSQL 15 cluster on
loopback (tests/support/pg_cluster.py): two host processes' platforms share one
schema; a command committed by one is seen by the other after refresh()."""

import os
import pathlib
import sys

import pytest

import sala
from conftest import madrid, seed_2086_settings, symposium_users, utc, webinar

SUPPORT = pathlib.Path(__file__).resolve().parents[1] / "support"
PG_BIN = os.environ.get("SALA_PG_BIN", "/usr/lib/postgresql/15/bin")

pytestmark = pytest.mark.skipif(not sala.HAVE_POSTGRES or not os.path.exists(f"{PG_BIN}/initdb"),
                                reason="needs sala::postgres and PostgreSQL 15 binaries")


@pytest.fixture(scope="module")
def conninfo():
    sys.path.insert(0, str(SUPPORT))
    import pg_cluster

    base, info = pg_cluster.start(no_fsync=True)
    try:
        yield info
    finally:
        pg_cluster.stop(base)


def test_R1_R9_two_hosts_share_one_postgres_schema(conninfo):
    clock = sala.ManualClock(utc(2021, 5, 1))
    a = sala.DurablePlatform(sala.PostgresStore.open(conninfo, schema="py"), clock, seed_2086_settings())
    b = sala.DurablePlatform(sala.PostgresStore.open(conninfo, schema="py"), clock)
    rep = a.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    a.activate(rep.new_rooms[0])
    a.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    first = a.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert first.assignment.room == sala.RoomId(1)
    # Host b decides on the latest committed state: room 09 is busy, so b queues (R1, R10).
    second = b.submit(webinar("B", 2021, 5, 12, 15, 5, 50))
    assert second.assignment.status is sala.AssignStatus.NO_ROOM_FREE
    a.refresh()
    assert a.state() == b.state()
    assert [q.title for q in a.queue()] == ["B"]
    assert b.get_request(first.id).start == madrid(2021, 5, 12, 15, 5)
    assert sala.PostgresStore.open(conninfo, schema="py").schema_version() == sala.PostgresStore.current_schema


def test_keywords_views_and_the_durable_lifecycle_on_postgres(conninfo):
    """Issue 13's Python parity on the shared store: submit's keywords, the views and
    DurableLifecycle's queries work on a PostgreSQL-backed DurablePlatform as on a Platform."""
    import datetime as dt

    clock = sala.ManualClock(utc(2021, 5, 1))
    p = sala.DurablePlatform(sala.PostgresStore.open(conninfo, schema="py_views"), clock,
                             seed_2086_settings())
    life = sala.DurableLifecycle(p, sala.FakeConferencing(symposium_users(), clock), sala.FakeMailer())
    rep = life.link_account("symposium", sala.PoolKind.OWN)
    p.activate(rep.new_rooms[0])
    p.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    s = p.submit(title="A", start=madrid(2021, 5, 12, 15, 5), duration=50, event_id="2086",
                 organizer=sala.Organizer("Soporte", "support@symposium.events"))
    assert s.assignment.room == rep.new_rooms[0]
    assert life.next_due() == clock.now()  # as soon as possible, never 1970
    life.tick(clock.now())
    assert life.next_due() == madrid(2021, 5, 12, 15, 2)
    mem = sala.Platform.restore(p.state(), clock)
    assert sala.ical_platform(p) == sala.ical_platform(mem)
    assert sala.render_day(p, dt.date(2021, 5, 12), "Europe/Madrid") == \
        sala.render_day(mem, dt.date(2021, 5, 12), "Europe/Madrid")
    [entry] = life.about_to_start(madrid(2021, 5, 12, 15, 2))  # R13: in the window, not mailed
    assert entry.request == s.id
