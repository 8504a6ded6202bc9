"""Label cli: the `sala` program on good and bad files.

Runs the real binary (SALA_BIN) in a temp folder; checks exit codes, messages
with line numbers, and outputs (pages, .ics parsed with python3-icalendar,
a real SQLite store written by --save-db and changed by make-room --apply).
"""
import os
import re
import subprocess

import icalendar
import pytest

SALA = os.environ.get("SALA_BIN", "sala")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SYMPOSIUM = os.path.join(DATA, "symposium.json")
MAKE_ROOM = os.path.join(DATA, "make_room.json")


def sala(*args, cwd=None):
    p = subprocess.run([SALA, *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("cmd", ["plan", "calendar", "ics", "make-room", "simulate"])
def test_help_on_every_subcommand(cmd):
    rc, out, _ = sala(cmd, "--help")
    assert rc == 0
    assert out.startswith("usage: sala " + cmd)


def test_usage_errors_exit_2():
    assert sala()[0] == 2
    rc, _, err = sala("bogus")
    assert rc == 2 and "unknown command 'bogus'" in err
    rc, _, err = sala("calendar", "--month", "2021-13", "--out", "x")
    assert rc == 2 and "--month: '2021-13'" in err
    rc, _, err = sala("ics", "--scenario", SYMPOSIUM)
    assert rc == 2 and "--room ID or --all" in err
    rc, _, err = sala("plan", "a.csv", "--frobnicate")
    assert rc == 2 and "unknown option --frobnicate" in err
    rc, _, err = sala("make-room", "--request", "1", "--apply", "--scenario", SYMPOSIUM)
    assert rc == 2 and "--apply" in err


def test_missing_files_exit_3(tmp_path):
    rc, _, err = sala("plan", str(tmp_path / "nope.csv"))
    assert rc == 3 and "cannot read" in err
    rc, _, err = sala("calendar", "--month", "2021-05", "--out", "o", cwd=tmp_path)
    assert rc == 3 and "no store at sala.db" in err


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_plan_r18(tmp_path):
    # Submitted in this order first-fit needs 3 rooms; 2 suffice (margins 0).
    csv = write(tmp_path, "r.csv",
                "# planned webinars\n"
                "title,start,zone,duration\n"
                "A,2021-05-13 10:00,Europe/Madrid,20\n"
                "B,2021-05-13 10:30,Europe/Madrid,30\n"
                "\"C, with comma\",2021-05-13 10:10,Europe/Madrid,20\n"
                "D,2021-05-13 10:20,Europe/Madrid,30\n")
    rc, out, err = sala("plan", csv, "--preparation", "0", "--courtesy", "0", "--post", "0")
    assert rc == 0, err
    assert "Minimum rooms (peak concurrency of blocked intervals): 2" in out
    assert "First-fit in submission order (R9) uses 3 room(s): 1 more than needed" in out
    assert "Plan: Pro with 2 licensed host(s)" in out
    assert "owner" in out and "buy 3 licences" in out
    assert "'C, with comma'" in out


def test_plan_bad_lines_name_line_and_column(tmp_path):
    cases = [
        ("title,start,zone,duration\nA,2021-05-13 10:00,Europe/Madrid,60\nB,2021-05-13 10:30,Europe/Madrid,abc\n",
         ":3: column 'duration': 'abc' is not a whole number"),
        ("title,start,zone\n", ":1: header: missing column 'duration'"),
        ("title,start,zone,duration\n\nA,2021-02-30 10:00,Europe/Madrid,60\n", ":3: column 'start'"),
        ("title,start,zone,duration\nA,2021-05-13 10:00,Mars/Base,60\n", ":2: column 'zone': zone: unknown IANA"),
        ("title,start,zone,duration\nA,2021-03-28 02:30,Europe/Madrid,60\n", ":2: column 'start': start: 2021-03-28 02:30 does not exist"),
        ("title,start,zone,duration\n\"A,2021-05-13 10:00,Europe/Madrid,60\n", ":2: a quoted field is not closed"),
    ]
    for text, want in cases:
        rc, _, err = sala("plan", write(tmp_path, "bad.csv", text))
        assert rc == 1, (text, err)
        assert want in err, (want, err)


def test_simulate_symposium(tmp_path):
    rc, out, err = sala("simulate", SYMPOSIUM, "--out", str(tmp_path / "out"))
    assert rc == 0, err
    assert "owner admin@symposium.events holds a licence: wasted (R1)" in out
    assert re.search(r"symposium\.json:\d+: submit 'Foro de debate sobre el cambio climático' -> request 3: queued", out)
    assert "assign request 3: ok, room 4" in out
    assert "queue: 1 request(s)" in out
    assert (tmp_path / "out" / "month-2021-05.html").exists()
    ics = icalendar.Calendar.from_ical((tmp_path / "out" / "platform.ics").read_bytes())
    assert len(list(ics.walk("VEVENT"))) == 9
    # No progress bar: stdout is a pipe here.
    assert "[#" not in err and "[#" not in out


def test_simulate_errors_carry_line_numbers(tmp_path):
    cases = [
        ('{\n  "now": "2021-05-01 08:00",\n  "requests": [\n    {"title": "x", "start": "2021-05-13 25:00",\n'
         '     "duration": 50, "organizer": {"email": "a@b.c"}}\n  ]\n}\n',
         ":4: requests[0].start: '2021-05-13 25:00' is not a time"),
        ('{\n  "now": "2021-05-01 08:00",\n  "requests": [\n    {"title": "x" "start": 1}\n  ]\n}\n',
         ":4: not valid JSON"),
        ('{\n  "now": "2021-05-01 08:00",\n  "frobs": 1\n}\n', ":3: frobs: unknown field"),
        ('{\n  "now": "2021-05-01 08:00",\n  "settings": {\n    "preparation": -5\n  }\n}\n',
         ":4: settings.preparation: preparation: must be between 0"),
        ('{\n  "now": "2021-05-01 08:00",\n  "requests": [\n    {"title": "x", "start": "2021-05-13 10:00",\n'
         '     "duration": 50,\n     "organizer": {"email": "not-an-address"}}\n  ]\n}\n',
         ":6: requests[0].organizer.email: organizer.email: 'not-an-address' is not an e-mail address"),
        ('{\n  "now": "2021-05-01 08:00",\n  "actions": [\n    {"do": "assign", "request": 1, "room": 1}\n  ]\n}\n',
         ":4: actions[0].request: must be 1..0"),
        ('{\n  "now": "2021-05-01 08:00",\n  "requests": [\n    {"title": "x", "start": "2021-05-13 10:00",\n'
         '     "duration": 5000, "organizer": {"email": "a@b.c"}}\n  ]\n}\n',
         ":5: requests[0].duration: duration: must be between 15 and 480 min"),
    ]
    for text, want in cases:
        rc, _, err = sala("simulate", write(tmp_path, "s.json", text))
        assert rc == 1, (text, err)
        assert want in err, (want, err)


def test_calendar_pages_from_scenario(tmp_path):
    rc, out, err = sala("calendar", "--month", "2021-05", "--out", str(tmp_path), "--scenario", SYMPOSIUM,
                        "--now", "2021-05-13 11:00")
    assert rc == 0, err
    paths = out.split()
    assert paths[0].endswith("month-2021-05.html") and len(paths) == 7  # month + 6 weeks
    month = open(paths[0], encoding="utf-8").read()
    assert len(re.findall(r'<div class="webinar ', month)) == 9
    assert "&lt;script&gt;" in month and "<script" not in month
    assert 'status-unassigned room-queue' in month  # 'Mesa redonda' waits
    assert 'status-running' in month
    rc, out, err = sala("calendar", "--day", "2021-05-13", "--out", str(tmp_path), "--scenario", SYMPOSIUM,
                        "--now", "2021-05-13 11:00")
    assert rc == 0, err
    day = open(out.split()[0], encoding="utf-8").read()
    # 6 webinars on 13 May, each a box and a timeline bar (prep / webinar / post segments).
    assert len(re.findall(r'<div class="webinar ', day)) == 6
    assert len(re.findall(r'<g class="segment-set"', day)) == 6
    assert len(re.findall(r'<rect class="prep"', day)) == 6


def test_ics_room_and_all(tmp_path):
    rc, out, err = sala("ics", "--room", "1", "--scenario", SYMPOSIUM)
    assert rc == 0, err
    cal = icalendar.Calendar.from_ical(out.encode())
    uids = sorted(str(e["UID"]) for e in cal.walk("VEVENT"))
    assert uids == ["request-1@symposium.events", "request-5@symposium.events", "request-6@symposium.events",
                    "request-7@symposium.events"]
    rc, out, err = sala("ics", "--all", "--utc", "--out", str(tmp_path / "all.ics"), "--scenario", SYMPOSIUM)
    assert rc == 0, err
    raw = (tmp_path / "all.ics").read_bytes()
    assert b"VTIMEZONE" not in raw and raw.count(b"BEGIN:VEVENT") == 9
    rc, _, err = sala("ics", "--room", "99", "--scenario", SYMPOSIUM)
    assert rc == 1 and "room not found: 99" in err


def test_store_roundtrip_and_make_room_apply(tmp_path):
    db = str(tmp_path / "sala.db")
    rc, out, err = sala("simulate", MAKE_ROOM, "--quiet", "--save-db", db)
    assert rc == 0, err
    assert "make room: move 'Mesa' (request 4) from room 4 to room 3" in out
    rc, _, err = sala("simulate", MAKE_ROOM, "--quiet", "--save-db", db)
    assert rc == 3 and "exists" in err
    now = ["--now", "2021-05-02 10:00"]
    rc, out, err = sala("make-room", "--request", "5", "--db", db, *now)
    assert rc == 0, err
    assert "1. reassign request 4 'Mesa' room 4 -> room 3" in out
    assert "2. assign request 5 to room 4" in out
    rc, out, err = sala("make-room", "--request", "5", "--db", db, "--apply", *now)
    assert rc == 0, err
    assert "applied: request 5 is in room 4" in out
    # The store kept it: a fresh process sees request 5 in room 4 and the queue empty.
    rc, out, err = sala("ics", "--room", "4", "--db", db, *now)
    assert rc == 0, err
    cal = icalendar.Calendar.from_ical(out.encode())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Plenario"]
    rc, _, err = sala("make-room", "--request", "5", "--db", db, *now)
    assert rc == 1 and "already has a room" in err
    # The default store is ./sala.db.
    rc, out, err = sala("calendar", "--month", "2021-05", "--out", "pages", "--now", "2021-05-02 10:00", cwd=tmp_path)
    assert rc == 0, err
    assert (tmp_path / "pages" / "month-2021-05.html").exists()


def test_make_room_without_plan_exits_4(tmp_path):
    db = str(tmp_path / "s.db")
    assert sala("simulate", SYMPOSIUM, "--quiet", "--save-db", db)[0] == 0
    rc, out, _ = sala("make-room", "--request", "8", "--db", db, "--now", "2021-05-02 10:00")
    assert rc == 4 and "no plan frees a room for request 8" in out


def test_progress_bar_only_on_a_terminal(tmp_path):
    # A long scenario under a pseudo-terminal shows the bar; piped (above) it does not.
    import json
    import pty
    reqs = [{"title": f"w{k}", "start": f"2021-06-{1 + k % 28:02d} {8 + k % 10:02d}:00", "duration": 30,
             "organizer": {"email": "a@b.c"}} for k in range(300)]
    scen = {"now": "2021-05-01 08:00", "zone": "Europe/Madrid",
            "accounts": [{"name": "x", "users": [{"id": "u1", "email": "u1@b.c"}]}],
            "rooms": [{"room": 1, "mode": "automatic"}], "requests": reqs}
    path = write(tmp_path, "long.json", json.dumps(scen))
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(SALA, [SALA, "simulate", path, "--quiet"])
    chunks = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks += data
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"] 302/302" in chunks and b"[####" in chunks
    rc, out, err = sala("simulate", path, "--quiet")
    assert rc == 0 and "302/302" not in out + err


# ---- hostile inputs: every one refused with its exit code and a message, never an abort ----

def sala_bounded(*args, cwd=None, memory=1 << 30, timeout=60):
    """Runs sala under an address-space limit and a timeout, so a regression
    (unbounded read, huge tree) fails the test instead of eating the machine."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    p = subprocess.run([SALA, *args], capture_output=True, cwd=cwd, timeout=timeout, preexec_fn=limit)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


NOW = '"now": "2021-05-01 08:00"'
ORG = '"organizer": {"email": "a@b.c"}'
REQUEST = '{"title": "t", "start": "2021-05-13 10:00", "duration": 60, ' + ORG + '}'


def scenario(tmp_path, body, name="s.json"):
    return write(tmp_path, name, "{\n  " + NOW + ",\n" + body + "\n}\n")


def test_simulate_number_overflow_is_exit_1(tmp_path):
    rc, _, err = sala_bounded("simulate", write(tmp_path, "s.json", '{\n  "now": 1e400\n}\n'))
    assert rc == 1, err
    assert "s.json:2: not valid JSON: number overflow parsing '1e400'" in err


def test_simulate_deep_json_is_refused_cheaply(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    rc, _, err = sala_bounded("simulate", scenario(tmp_path, '  "x":\n' + deep), memory=256 << 20)
    assert rc == 1, err
    assert "s.json:4: nested deeper than 64 objects and arrays" in err


def test_simulate_too_many_values(tmp_path):
    many = ",".join(["0"] * 1_000_001)
    rc, _, err = sala_bounded("simulate", scenario(tmp_path, '  "actions": [' + many + "]"))
    assert rc == 1, err
    assert "more than 1000000 values" in err


@pytest.mark.parametrize("cmd,limit", [("plan", "64 MiB"), ("simulate", "16 MiB")])
def test_dev_zero_is_read_within_a_bound(cmd, limit):
    rc, _, err = sala_bounded(cmd, "/dev/zero", memory=512 << 20, timeout=30)
    assert rc == 1, err
    assert "/dev/zero: larger than " + limit in err


@pytest.mark.parametrize("cmd", ["plan", "simulate"])
def test_directory_is_exit_3(cmd, tmp_path):
    rc, _, err = sala(cmd, str(tmp_path))
    assert rc == 3, err
    assert "is a directory" in err


def test_damaged_store_is_exit_3(tmp_path):
    import sqlite3
    db = str(tmp_path / "d.db")
    assert sala("simulate", MAKE_ROOM, "--quiet", "--save-db", db)[0] == 0
    con = sqlite3.connect(db)
    con.execute("INSERT INTO queue(request_id, seq) VALUES (999, 1000)")
    con.commit()
    con.close()
    for args in (["calendar", "--month", "2021-05", "--out", str(tmp_path / "p")], ["ics", "--all"],
                 ["make-room", "--request", "5"]):
        rc, _, err = sala(*args, "--db", db)
        assert rc == 3, (args, err)
        assert "the store " + db + " is damaged: " in err and "request 999" in err, err


def test_plan_escapes_control_characters_and_bad_utf8(tmp_path):
    p = tmp_path / "esc.csv"
    p.write_bytes(b"title,start,zone,duration\n"
                  b"\x1b[31mred\x00\x7f\xff\xc2\x85\xe2\x82\xac,2021-05-13 10:00,Europe/Madrid,60\n"
                  b"B,2021-05-13 10:00,Europe/Madrid,\x1b[2J\n")
    rc, out, err = sala_bounded("plan", str(p))
    assert rc == 1
    assert "column 'duration': '\\x1b[2J' is not a whole number" in err and "\x1b" not in err
    p.write_bytes(p.read_bytes().split(b"B,")[0])
    rc, out, err = sala_bounded("plan", str(p))
    assert rc == 0, err
    assert b"'\\x1b[31mred\\x00\\x7f\\xff\\u{85}\xe2\x82\xac'" in out  # the euro sign stays
    assert not any(c < 0x20 and c != 0x0A for c in out)
    assert b"\x7f" not in out and b"\xc2\x85" not in out


def test_simulate_unknown_fields_are_errors(tmp_path):
    cases = [
        ('  "requests": [\n    {"title": "t", "start": "2021-05-13 10:00", "duration": 60, ' + ORG + ',\n'
         '     "panelist": ["x@y.z"]}\n  ]', ":5: requests[0].panelist: unknown field (known: at, title,"),
        ('  "requests": [\n    {"title": "t", "start": "2021-05-13 10:00", "duration": 60,\n'
         '     "organizer": {"email": "a@b.c", "mail": "x"}}\n  ]', ":5: requests[0].organizer.mail: unknown field"),
        ('  "accounts": [\n    {"name": "x", "users": [], "knd": "lent"}\n  ]', ":4: accounts[0].knd: unknown field"),
        ('  "accounts": [\n    {"name": "x", "users": [\n      {"id": "u", "email": "u@b.c", "licenced": true}]}\n  ]',
         ":5: accounts[0].users[0].licenced: unknown field"),
        ('  "rooms": [\n    {"room": 1, "mod": "automatic"}\n  ]', ":4: rooms[0].mod: unknown field"),
        ('  "actions": [\n    {"do": "advance", "minutes": 5, "room": 2}\n  ]',
         ":4: actions[0].room: unknown field for 'advance' (known: at, do, minutes)"),
    ]
    for body, want in cases:
        rc, _, err = sala("simulate", scenario(tmp_path, body))
        assert rc == 1, (body, err)
        assert want in err, (want, err)


def test_simulate_numbers_are_range_checked(tmp_path):
    req = '  "requests": [' + REQUEST + '],\n'
    cases = [
        (req + '  "actions": [\n    {"do": "advance", "minutes": 4611686018427387904}\n  ]',
         ":5: actions[0].minutes: must be a whole number from 0 to 5270400, got 4611686018427387904"),
        (req + '  "actions": [\n    {"do": "advance", "minutes": -1}\n  ]',
         ":5: actions[0].minutes: must be a whole number from 0 to 5270400, got -1"),
        (req + '  "actions": [\n    {"do": "advance", "minutes": 5270400},\n' + ',\n'.join(
            ['    {"do": "advance", "minutes": 5270400}'] * 800) + '\n  ]',
         "minutes: would move the clock past 9999-12-31 23:59"),
        (req + '  "actions": [\n    {"do": "make_room", "request": 1, "max_moves": -1}\n  ]',
         ":5: actions[0].max_moves: must be a whole number from 0 to 10, got -1"),
        ('  "rooms": [\n    {"room": -1}\n  ]', ":4: rooms[0].room: must be a whole number from 1 to 4294967295, got -1"),
        ('  "requests": [\n    {"title": "t", "start": "2021-05-13 10:00", "duration": 9223372036854775808, ' + ORG + '}\n  ]',
         ":4: requests[0].duration: must be a whole number from -2147483648 to 2147483647, got 9223372036854775808"),
    ]
    for body, want in cases:
        rc, _, err = sala("simulate", scenario(tmp_path, body))
        assert rc == 1, (body, err)
        assert want in err, (want, err)
        assert "4294967295" not in err.replace("to 4294967295", "") and "-9223372036854775808" not in err


def test_numeric_options_do_not_wrap(tmp_path):
    rc, _, err = sala("ics", "--room", "-1", "--scenario", SYMPOSIUM)
    assert rc == 2 and "--room: '-1' is not a whole number from 1 to 4294967295" in err
    rc, _, err = sala("make-room", "--request", "8", "--max-moves", "-1", "--scenario", SYMPOSIUM)
    assert rc == 2 and "--max-moves: '-1' is not a whole number from 0 to 10" in err
    rc, _, err = sala("plan", "x.csv", "--preparation", "9223372036854775808")
    assert rc == 2 and "--preparation: '9223372036854775808' is not a whole number" in err


def test_plan_ids_and_columns(tmp_path):
    head = "id,title,start,zone,duration\n"
    rc, _, err = sala("plan", write(tmp_path, "r.csv", head + "-1,A,2021-05-13 10:00,Europe/Madrid,60\n"))
    assert rc == 1 and ":2: column 'id': '-1' is not a whole number from 1 to 9223372036854775807" in err, err
    assert "18446744073709551615" not in err
    rc, _, err = sala("plan", write(tmp_path, "r.csv", "title,start,zone,duration,title\nA,2021-05-13 10:00,Europe/Madrid,60,B\n"))
    assert rc == 1 and ":1: header: column 'title' appears twice (fields 1 and 5)" in err, err
    rc, _, err = sala("plan", write(tmp_path, "r.csv", head + "1,A,2021-05-13 10:00,Europe/Madrid,9223372036854775808\n"))
    assert rc == 1 and ":2: column 'duration': '9223372036854775808' is not a whole number" in err, err
    rc, _, err = sala("plan", write(tmp_path, "r.csv", head + "1,A,2021-05-13 10:00,Europe/Madrid,600000\n"))
    assert rc == 1 and ":2: column 'duration': must be from 1 to 527040 minutes" in err, err


def test_plan_skips_a_utf8_bom(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbftitle,start,zone,duration\nA,2021-05-13 10:00,Europe/Madrid,60\n")
    rc, out, err = sala("plan", str(p))
    assert rc == 0, err
    assert "1 request(s)." in out and "'A'" in out


def test_plan_benchmark_script_runs_small():
    # The benchmark itself (scripts/bench_cli_plan) is for people; here only that it works.
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "bench_cli_plan")
    p = subprocess.run(["/usr/bin/python3", script, "--sala", SALA, "--sizes", "200,400"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = [l for l in p.stdout.splitlines() if re.match(r"^\s*\d+\s+lines", l)]
    assert len(rows) == 2, p.stdout


def test_an_empty_or_special_db_is_refused_and_left_alone(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    rc, _, err = sala("ics", "--all", "--db", str(empty))
    assert rc == 3 and "empty file" in err, err
    assert empty.stat().st_size == 0
    rc, _, err = sala("ics", "--all", "--db", "/dev/zero")
    assert rc == 3 and "not a regular file" in err, err
    assert not os.path.exists("/dev/zero-journal")


def test_a_read_only_store_is_named_as_such(tmp_path):
    db = str(tmp_path / "ro.db")
    assert sala("simulate", MAKE_ROOM, "--quiet", "--save-db", db)[0] == 0
    os.chmod(db, 0o444)
    os.chmod(tmp_path, 0o755)
    # root may write anything: run the command as nobody there
    drop = None
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        drop = lambda: (os.setgid(nobody.pw_gid), os.setuid(nobody.pw_uid))  # noqa: E731
        for d in (tmp_path, tmp_path.parent, tmp_path.parent.parent):
            os.chmod(d, os.stat(d).st_mode | 0o005)
    p = subprocess.run([SALA, "ics", "--all", "--db", db], capture_output=True, text=True,
                       preexec_fn=drop, timeout=60)
    assert p.returncode == 3, p.stderr
    assert "cannot be written" in p.stderr or "read-only" in p.stderr, p.stderr
    assert "corrupted" not in p.stderr


def test_version_is_the_projects():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "CMakeLists.txt")
    version = re.search(r"project\(sala\s+VERSION\s+([0-9.]+)", open(top).read()).group(1)
    for arg in ("--version", "version"):
        rc, out, _ = sala(arg)
        assert rc == 0 and out == f"sala {version}\n", (arg, out)
