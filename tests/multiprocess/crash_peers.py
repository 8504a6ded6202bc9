#!/usr/bin/python3
"""Two processes on one PostgreSQL store, each killed with SIGKILL at random
while booking, cancelling and ticking against a fake backend (issue 13).

  crash_peers.py --peer PATH [--kills N] [--seed S]

SALA_PG_CONNINFO must be set (tests/support/pg_cluster.py run -- ...). The
test run uses a tiny N; the full run is

  tests/support/pg_cluster.py run --no-fsync -- /usr/bin/python3 \\
      tests/multiprocess/crash_peers.py --peer build/tests/multiprocess/sala_lifecycle_peer \\
      --kills 120

Invariants, checked after the kills and a final catch-up without kills:
  - no double booking: no two reservations of one room overlap;
  - no acknowledged command lost: every submit whose answer was read exists
    (unless a cancel of it was acknowledged, or may have run before a kill),
    every acknowledged cancel is gone;
  - no step done twice beyond what a kill can repeat: backend calls and mails
    counted by idempotency key; a key repeated at most once per kill, and a
    repeated mail always has the same body (same credentials password);
  - nothing left undone: every booked webinar still on the books had its
    webinar created and its credentials mailed once its window passed.
"""
import argparse
import collections
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import Peer, unhex  # noqa: E402

KEY = "3c" * 32


def start_peer(args, journal, name, schema):
    cmd = [args.peer, "--postgres", os.environ["SALA_PG_CONNINFO"], "--schema", schema,
           "--journal", journal, "--name", name, "--key", KEY, "--slow-ms", "3",
           "--claim-ttl-ms", "150"]
    return Peer(cmd, name)


def journal_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True)
    ap.add_argument("--kills", type=int, default=int(os.environ.get("SALA_MP_KILLS", "6")))
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    print(f"crash_peers: seed {args.seed}, {args.kills} kills", flush=True)
    tmp = tempfile.TemporaryDirectory()
    journal = os.path.join(tmp.name, "journal")
    schema = f"crash{os.getpid()}"

    setup = start_peer(args, journal, "setup", schema)
    setup.cmd("seed")
    setup.quit()

    generation = [0, 0]
    peers = [None, None]

    def start(i):
        generation[i] += 1
        peers[i] = start_peer(args, journal, f"P{i}.{generation[i]}", schema)

    start(0)
    start(1)
    acked_submit = {}  # id -> title, answered
    acked_cancel = set()
    maybe_cancelled = set()  # a cancel in flight when its process was killed
    titles = 0
    minute = 0  # simulated minutes since 1 May 00:00 UTC
    kills = 0
    last = 27 * 24 * 60  # stop ticking before 28 May
    started = time.monotonic()
    while kills < args.kills and minute < last:
        i = rnd.randrange(2)
        p = peers[i]
        r = rnd.random()
        day = minute // (24 * 60) + 1
        if r < 0.4 and day + 3 <= 28:
            titles += 1
            title = f"C{titles}"
            line = f"submit {title} {rnd.randint(day + 3, min(day + 6, 28))} {rnd.randint(8, 18)} 45"
            kind = ("submit", title)
        elif r < 0.55 and acked_submit:
            rid = rnd.choice(sorted(acked_submit))
            line = f"cancel {rid}"
            kind = ("cancel", rid)
        else:
            minute += rnd.randint(10, 120)
            line = f"tick {minute // 1440 + 1} {minute % 1440 // 60} {minute % 60}"
            kind = ("tick", None)
        p.send(line)
        if rnd.random() < 0.2:
            time.sleep(rnd.uniform(0, 0.03))
            if p.proc.poll() is None:
                p.kill()
                kills += 1
                if kind[0] == "cancel":
                    maybe_cancelled.add(kind[1])
                start(i)
                continue
        answer = p.read()
        if kind[0] == "submit" and answer[:1].isdigit():
            acked_submit[answer.split()[0]] = kind[1]
        elif kind[0] == "cancel" and answer in ("ok", "gone"):
            acked_cancel.add(kind[1])
    for p in peers:
        p.quit()
    print(f"crash_peers: kill phase in {time.monotonic() - started:.1f} s", flush=True)

    # Catch up without kills, past every webinar's end and post-processing.
    final = start_peer(args, journal, "final", schema)
    # A late tick runs everything overdue in order (R16): twice a day is enough.
    started = time.monotonic()
    for day in range(max(1, minute // 1440 + 1), 32):
        for hour in (0, 12):
            final.cmd(f"tick {day} {hour} 0")
    print(f"crash_peers: catch-up in {time.monotonic() - started:.1f} s", flush=True)
    problems = []
    # No acknowledged command lost.
    for rid, title in acked_submit.items():
        present, room = final.cmd(f"state {rid}").split()
        if rid in acked_cancel:
            if present != "0":
                problems.append(f"cancel of {rid} acknowledged but it is still there")
        elif rid not in maybe_cancelled and present != "1":
            problems.append(f"submit {rid} ({title}) acknowledged but lost")
    # No double booking.
    rows = final.cmd("reservations")
    by_room = collections.defaultdict(list)
    if rows != "-":
        for item in rows.split():
            rid, room, begin, end = item.split(":")
            by_room[room].append((int(begin), int(end), rid))
    for room, spans in by_room.items():
        spans.sort()
        for (b1, e1, r1), (b2, e2, r2) in zip(spans, spans[1:]):
            if b2 < e1:
                problems.append(f"room {room}: {r1} and {r2} overlap")
    final.quit()

    lines = journal_lines(journal)
    calls = collections.Counter()
    bodies = collections.defaultdict(set)
    for who, kind, a, b in lines:
        if kind == "mail":
            calls[("mail", a)] += 1
            bodies[a].add(b)
        elif kind == "create_webinar":
            calls[("create", unhex(a))] += 1
        elif kind in ("set_user_password", "delete_webinar", "end_webinar"):
            calls[(kind, a, b)] += 1
    repeats = sum(n - 1 for n in calls.values() if n > 1)
    if repeats > kills:
        problems.append(f"{repeats} repeated backend calls or mails for {kills} kills")
    for key, bs in bodies.items():
        if len(bs) > 1:
            problems.append(f"mail {key} sent with {len(bs)} different bodies")
    # Nothing left undone: every acknowledged, not cancelled booking got its webinar and credentials.
    mailed = {k for (kind, k) in [(c[0], c[1]) for c in calls] if kind == "mail"}
    created = {c[1] for c in calls if c[0] == "create"}
    booked = 0
    for rid, title in acked_submit.items():
        if rid in acked_cancel or rid in maybe_cancelled:
            continue
        if not any(k.startswith(f"credentials/{rid}/") for k in mailed) and \
                not any(k == f"unassigned/{rid}" for k in mailed):
            problems.append(f"{rid} ({title}): neither credentials nor a queue notice mailed")
        if any(k.startswith(f"credentials/{rid}/") for k in mailed):
            booked += 1
            if title not in created:
                problems.append(f"{rid} ({title}): credentials mailed but no webinar created")
    print(f"crash_peers: {kills} kills, {len(acked_submit)} submits and {len(acked_cancel)} "
          f"cancels acknowledged, {booked} webinars through credentials, {len(lines)} backend "
          f"calls and mails, {repeats} repeated by a kill", flush=True)
    for p in problems:
        print("PROBLEM:", p, flush=True)
    tmp.cleanup()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
