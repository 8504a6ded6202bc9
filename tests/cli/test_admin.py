"""Label cli: the admin's commands on a real SQLite store (sala rooms, queue,
requests, assign, reassign, cancel, retry, settings), their --json output and
exit codes, with this test process holding the same store open as a second
process that commits in between."""
import datetime as dt
import json
import os
import subprocess

import pytest
import sala as sl

SALA = os.environ.get("SALA_BIN", "sala")


def sala(*args, cwd=None):
    p = subprocess.run([SALA, *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    return p.returncode, p.stdout, p.stderr


def js(*args):
    rc, out, err = sala(*args, "--json")
    assert rc == 0, err
    return json.loads(out)


UTC = dt.timezone.utc
ORG = sl.Organizer("Soporte", "support@symposium.events")


def other(path):
    """A second process's view of the store (this test process)."""
    return sl.DurablePlatform(sl.SqliteStore.open(path, create=False), sl.SystemClock())


@pytest.fixture
def db(tmp_path):
    """Rooms 1-2 automatic, 3-4 manual; ten days from now 'Big' (room 1), 'Foro' (room 2),
    'Mesa' (room 4, manual) overlap, and 'Plenario' queues: no automatic room is free."""
    path = str(tmp_path / "sala.db")
    dp = sl.DurablePlatform(sl.SqliteStore.open(path, create=True), sl.SystemClock())
    users = [sl.AccountUser("owner", "admin@symposium.events", "Admin", owner=True)] + [
        sl.AccountUser(f"u{i}", f"room{i}@symposium.events", f"Room {i}") for i in range(1, 5)]
    dp.link_account("symposium", sl.PoolKind.OWN, users)
    for r in range(1, 5):
        dp.activate(r)
    for r in (1, 2):
        dp.set_mode(r, sl.RoomMode.AUTOMATIC)
    day = (dt.datetime.now(UTC) + dt.timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    for title in ("Big", "Foro"):
        assert dp.submit(sl.RequestInput(title, day, 120, "2086", ORG, zone="Europe/Madrid")).id
    mesa = dp.submit(sl.RequestInput("Mesa", day, 60, "2086", ORG, zone="Europe/Madrid")).id
    assert dp.assign(mesa, 4)
    dp.submit(sl.RequestInput("Plenario", day, 60, "2086", ORG, zone="Europe/Madrid"))
    return path


def test_lists_are_the_apis_json(db):
    rooms = js("rooms", "--db", db)
    assert [(r["id"], r["mode"], r["active"]) for r in rooms] == [
        (1, "automatic", True), (2, "automatic", True), (3, "manual", True), (4, "manual", True)]
    queue = js("queue", "--db", db)["items"]
    assert [(q["id"], q["title"], q["state"]) for q in queue] == [(4, "Plenario", "queued")]
    assigned = js("requests", "--db", db, "--state", "assigned")["items"]
    assert [r["id"] for r in assigned] == [1, 2, 3]
    assert [r["id"] for r in js("requests", "--db", db, "--room", "4")["items"]] == [3]
    assert js("requests", "--db", db, "--organizer", "NOBODY@example.org")["items"] == []
    assert js("settings", "--db", db)["preparation"] == other(db).state().settings.preparation.seconds // 60


def test_lines_without_json(db):
    rc, out, err = sala("rooms", "--db", db)
    assert rc == 0, err
    assert out.splitlines()[2].split("\t")[-1] == "manual"


def test_assign_reassign_cancel_and_a_second_process_sees_them(db):
    dp = other(db)
    # Another process frees room 4 at the queued request's time (R11): the CLI must see that commit.
    assert dp.reassign(3, 3)
    body = js("assign", "4", "4", "--db", db)
    assert body["assigned"] and body["room"] == 4 and body["request"]["state"] == "assigned"
    dp.refresh()
    assert int(dp.reservation_of(4).room) == 4
    rc, _, err = sala("reassign", "4", "1", "--db", db)  # room 1 holds 'Big' then
    assert rc == 4 and "room 1" in err
    assert int(other(db).reservation_of(4).room) == 4
    body = js("cancel", "2", "--db", db)
    assert body["state"] == "cancelled"
    dp.refresh()
    assert [int(r.request) for r in dp.reservations()].count(2) == 0


def test_refusals_name_the_reason_and_change_nothing(db):
    before = other(db).state()
    rc, _, err = sala("assign", "4", "1", "--db", db)
    assert rc == 4 and "room 1" in err  # not free: expected outcome, nothing done
    rc, _, err = sala("retry", "4", "--db", db)
    assert rc == 4 and "stays queued" in err
    rc, _, err = sala("cancel", "99", "--db", db)
    assert rc == 1 and "99" in err
    rc, _, err = sala("settings", "set", "preparation=abc", "--db", db)
    assert rc == 1 and "preparation" in err and "whole number" in err
    rc, _, err = sala("settings", "set", "coffee=3", "--db", db)
    assert rc == 2 and "'coffee' is not a setting" in err
    rc, _, err = sala("settings", "set", "min_duration=500", "max_duration=100", "--db", db)
    assert rc == 1 and "duration" in err
    rc, _, err = sala("rooms", "mode", "1", "--db", db)
    assert rc == 2 and "mode" in err
    rc, _, err = sala("rooms", "mode", "1", "manual", "--db", db)  # R3: holds a reservation
    assert rc == 1, err
    after = other(db).state()
    assert [(int(r.id), r.mode, r.active) for r in after.rooms] == [(int(r.id), r.mode, r.active)
                                                                   for r in before.rooms]
    assert after.settings.min_duration == before.settings.min_duration
    assert len(after.reservations) == len(before.reservations)


def test_settings_set_is_seen_by_another_process(db):
    assert js("settings", "set", "courtesy=20", "--db", db)["courtesy"] == 20
    assert other(db).state().settings.courtesy.seconds == 20 * 60


def test_store_and_usage_errors(tmp_path):
    rc, _, err = sala("rooms", "--db", str(tmp_path / "missing.db"))
    assert rc == 3 and "no store at" in err
    rc, _, err = sala("assign", "x", "1", "--db", str(tmp_path / "missing.db"))
    assert rc == 2 and "invalid int" in err
    rc, out, _ = sala("queue", "--help")
    assert rc == 0 and out.startswith("usage: sala queue")


CONFIG = """
[conferencing]
backend = "fake"
fake_users = [{user_id = "u1", email = "room1@symposium.events"}]
[mail]
backend = "outbox"
sender = "sala@symposium.events"
admin = "admin@symposium.events"
"""


def test_credentials_now_problems_and_report(tmp_path, monkeypatch):
    """The lifecycle commands with the service's config (fake conferencing, mail into an outbox
    folder): credentials made by one process are read by the next (R13, shared key)."""
    path = str(tmp_path / "sala.db")
    dp = sl.DurablePlatform(sl.SqliteStore.open(path, create=True), sl.SystemClock())
    dp.link_account("s", sl.PoolKind.OWN, [sl.AccountUser("u1", "room1@symposium.events", "Room 1")])
    dp.activate(1)
    dp.set_mode(1, sl.RoomMode.AUTOMATIC)
    start = (dt.datetime.now(UTC) + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    rid = str(int(dp.submit(sl.RequestInput("A", start, 60, "e", ORG, zone="UTC")).id))
    (tmp_path / "sala.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALA_CREDENTIALS_KEY", "ab" * 32)
    monkeypatch.delenv("SALA_CONFIG", raising=False)
    base = ("--db", path, "--config", str(tmp_path / "sala.toml"))
    rc, _, err = sala("credentials", rid, *base)
    assert rc == 4 and "no credentials issued yet" in err, err
    made = js("credentials", rid, "--now", *base)
    assert made["user_name"] == "room1@symposium.events" and made["password"]
    assert js("credentials", rid, *base) == made  # another process, the same sealed password
    mails = list((tmp_path / "mail-out").iterdir())
    text = mails[0].read_text()
    assert len(mails) == 1 and "To: Soporte <support@symposium.events>" in text and made["user_name"] in text
    assert js("problems", *base) == []
    rc, _, err = sala("report", rid, *base)
    assert rc == 4 and "no attendance report yet" in err
    rc, _, err = sala("credentials", "99", "--now", *base)
    assert rc == 1 and "99" in err
    rc, _, err = sala("credentials", rid, "--db", path)  # no conferencing configured
    assert rc == 2 and "[conferencing]" in err


def test_submit_from_flags_and_a_csv_all_or_nothing(db, tmp_path):
    day = (dt.datetime.now(UTC) + dt.timedelta(days=20)).strftime("%Y-%m-%d")
    body = js("submit", "--db", db, "--title", "Solo", "--start", f"{day} 09:00", "--zone", "Europe/Madrid",
              "--duration", "45", "--event-id", "e1", "--organizer-email", "ana@example.org")
    assert [(r["title"], r["state"], r["room"]) for r in body["items"]] == [("Solo", "assigned", 1)]
    # The second row would fit; the third is refused (duration): nothing of the file is submitted.
    bad = tmp_path / "bad.csv"
    bad.write_text("title,start,zone,duration,event_id,organizer_email\n"
                   f"A,{day} 12:00,Europe/Madrid,60,e2,ana@example.org\n"
                   f"B,{day} 12:00,Europe/Madrid,0,e2,ana@example.org\n")
    before = other(db).next_request
    rc, _, err = sala("submit", "--db", db, "--csv", str(bad))
    assert rc == 1 and f"{bad}:3: duration" in err, err
    assert other(db).next_request == before and len(js("requests", "--db", db)["items"]) == 5
    good = tmp_path / "good.csv"
    good.write_text("title,start,zone,duration,event_id,organizer_email,organizer_name\n"
                    f"A,{day} 12:00,Europe/Madrid,60,e2,ana@example.org,Ana\n"
                    f"B,{day} 12:00,Europe/Madrid,60,e2,ana@example.org,Ana\n"
                    f"C,{day} 12:00,Europe/Madrid,60,e2,ana@example.org,Ana\n")
    items = js("submit", "--db", db, "--csv", str(good))["items"]
    # First-fit in file order (R9): rooms 1 and 2 are the automatic ones, C queues.
    assert [(r["title"], r["room"]) for r in items] == [("A", 1), ("B", 2), ("C", None)]
    rc, _, err = sala("submit", "--db", db, "--title", "X")
    assert rc == 1 and "organizer_email: required" in err


def test_accounts_list_users_link_and_relink(tmp_path, monkeypatch):
    path = str(tmp_path / "sala.db")
    sl.DurablePlatform(sl.SqliteStore.open(path, create=True), sl.SystemClock())
    (tmp_path / "sala.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    base = ("--db", path, "--config", str(tmp_path / "sala.toml"))
    assert js("accounts", *base) == []
    assert [u["email"] for u in js("accounts", "users", *base)] == ["room1@symposium.events"]
    rc, _, err = sala("accounts", "relink", "symposium", *base)
    assert rc == 1 and "no linked account named 'symposium'" in err
    linked = js("accounts", "link", "symposium", *base)
    assert linked["new_rooms"] == [1]
    assert [(p["name"], p["kind"]) for p in js("accounts", "--db", path)] == [("symposium", "own")]
    assert other(path).rooms()[0].active is False  # R2: new rooms start inactive
    rc, _, err = sala("accounts", "link", "symposium", *base)
    assert rc == 1 and "already linked" in err
    assert js("accounts", "relink", "symposium", *base)["new_rooms"] == []  # no user is new
    rc, _, err = sala("accounts", "users", "--db", path)
    assert rc == 2 and "[conferencing]" in err
