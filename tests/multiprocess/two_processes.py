#!/usr/bin/python3
"""Two real processes on one store (issue 13; docs/lifecycle.md, "Several processes").

Each process is a sala_lifecycle_peer (lifecycle_peer.cpp) driven over its
stdin/stdout; their fake backend and mailer append every call to one journal
file, so backend calls and mails are counted across processes.

  two_processes.py --peer PATH --store sqlite|postgres [unittest args]

PostgreSQL needs SALA_PG_CONNINFO (tests/support/pg_cluster.py run -- ...);
every test uses its own PostgreSQL schema or SQLite file.
"""
import argparse
import itertools
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import Peer, unhex  # noqa: E402

ARGS = None
KEY = "5a" * 32  # a test credentials_key (64 hex digits)
_schema_ids = itertools.count(1)


def start_peer(case, name, *extra):
    cmd = [ARGS.peer, "--journal", case.journal, "--name", name, *case.store_args, *extra]
    peer = Peer(cmd, name)
    case.addCleanup(peer.quit)
    return peer


class TwoProcesses(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.journal = os.path.join(self.dir.name, "journal")
        if ARGS.store == "sqlite":
            self.store_args = ["--sqlite", os.path.join(self.dir.name, "sala.db")]
        else:
            schema = f"mp{os.getpid()}_{next(_schema_ids)}"
            self.store_args = ["--postgres", os.environ["SALA_PG_CONNINFO"], "--schema", schema]

    def calls(self, kind=None):
        out = []
        if not os.path.exists(self.journal):
            return out
        with open(self.journal) as f:
            for line in f:
                who, k, a, b = line.split()
                if kind is None or k == kind:
                    out.append((who, k, a, b))
        return out

    def mails(self, prefix):
        return [(who, key, unhex(body)) for who, _, key, body in self.calls("mail")
                if key.startswith(prefix)]

    def creates(self, title):
        return [c for c in self.calls("create_webinar") if unhex(c[2]) == title]

    # --- the three scenarios --------------------------------------------------

    def test_a_request_committed_by_one_process_is_seen_by_the_others_next_tick(self):
        ticker = start_peer(self, "T")
        admin = start_peer(self, "A")
        ticker.cmd("seed")
        self.assertEqual(ticker.cmd("tick 1 0 0"), "4")  # room settings (R20)
        rid, room = admin.cmd("submit Seen 10 14 60").split()
        self.assertNotEqual(room, "0")
        # No refresh(): the ticker's own tick takes the admin's commit in.
        self.assertGreaterEqual(int(ticker.cmd("tick 1 0 1")), 1)
        creates = self.creates("Seen")
        self.assertEqual([c[0] for c in creates], ["T"])
        self.assertEqual(len(self.mails(f"unassigned/{rid}")), 0)

    def test_a_cancel_committed_at_nine_means_no_password_and_no_credentials_ever(self):
        ticker = start_peer(self, "T", "--key", KEY)
        admin = start_peer(self, "A", "--key", KEY)
        ticker.cmd("seed")
        rid, room = admin.cmd("submit Cancelled 10 14 60").split()  # 12:00 UTC
        ticker.cmd("tick 1 0 0")
        self.assertEqual(len(self.creates("Cancelled")), 1)
        self.assertEqual(admin.cmd("cancel " + rid), "ok")  # "09:00"
        for t in ("10 11 30", "10 11 31", "10 12 0", "10 14 0", "11 0 0"):
            ticker.cmd("tick " + t)
        self.assertEqual(self.calls("set_user_password"), [])
        self.assertEqual(self.mails(f"credentials/{rid}/"), [])
        self.assertEqual(self.mails(f"join/{rid}/"), [])
        self.assertEqual(len(self.calls("delete_webinar")), 1)
        self.assertEqual(admin.cmd(f"generate {rid} 10 11 0"), "error not_found")
        self.assertEqual(self.calls("set_user_password"), [])

    def test_concurrent_manual_generation_and_ticking_give_one_password_and_one_mail(self):
        ticker = start_peer(self, "T", "--key", KEY, "--slow-ms", "40")
        admin = start_peer(self, "A", "--key", KEY, "--slow-ms", "40")
        ticker.cmd("seed")
        # Overlapping webinars, one per room, credentials due 11:30, 11:40, 11:50, 12:00
        # UTC; none ends before the last is mailed, so no password is rotated here.
        ids = []
        for m in (0, 10, 20, 30):
            rid, room = admin.cmd(f"submit Race{m} 10 14 45 {m}").split()
            self.assertNotEqual(room, "0")
            ids.append(rid)
        ticker.cmd("tick 1 0 0")
        for rid, due in zip(ids, ("10 11 30", "10 11 40", "10 11 50", "10 12 0")):
            # Both at once: the ticker's tick and the admin's manual generation.
            ticker.send("tick " + due)
            admin.send(f"generate {rid} {due}")
            ticker.read()
            admin.read()
            d, h, m = due.split()
            ticker.cmd(f"tick {d} {h} {int(m) + 1}")
            self.assertEqual(admin.cmd(f"generate {rid} {due}"), "true")
        passwords = self.calls("set_user_password")
        self.assertEqual(len(passwords), len(ids), passwords)
        self.assertEqual(len({user for _, _, user, _ in passwords}), len(ids))
        for rid in ids:
            mails = self.mails(f"credentials/{rid}/")
            self.assertEqual(len(mails), 1, mails)
            # The organizer's view, from the store, in both processes.
            pw = unhex(ticker.cmd("credentials " + rid))
            self.assertIn(pw, mails[0][2])
            self.assertIn(pw, [unhex(p) for _, _, _, p in passwords])
            self.assertEqual(unhex(admin.cmd("credentials " + rid)), pw)
        keys = [key for _, _, key, _ in self.calls("mail")]
        self.assertEqual(len(keys), len(set(keys)), "a mail key was sent twice")
        # Who sent them is the race's business; that both could is the point.
        self.assertGreaterEqual(len(self.mails("credentials/")), len(ids))

    # --- the protocol's other promises -----------------------------------------------

    def test_two_tickers_never_run_the_same_step(self):
        a = start_peer(self, "T1", "--key", KEY, "--slow-ms", "15")
        b = start_peer(self, "T2", "--key", KEY, "--slow-ms", "15")
        a.cmd("seed")
        ids = [a.cmd(f"submit Both{d}x{h} {d} {h} 30").split()[0]
               for d in (10, 11) for h in (9, 12, 15)]
        for t in ("1 0 0", "10 6 40", "10 9 40", "10 12 40", "11 6 40", "11 9 40", "11 12 40",
                  "12 0 0", "13 0 0"):
            a.send("tick " + t)
            b.send("tick " + t)
            a.read()
            b.read()
        self.assertEqual(len(self.calls("create_webinar")), len(ids))
        # A step run twice would set the same (stored) password twice.
        sets = [(c[2], c[3]) for c in self.calls("set_user_password")]
        self.assertEqual(len(sets), len(set(sets)), sets)
        self.assertEqual(len(self.mails("credentials/")), len(ids))
        keys = [key for _, _, key, _ in self.calls("mail")]
        self.assertEqual(len(keys), len(set(keys)), sorted(keys))
        self.assertEqual(len(self.calls("end_webinar")), len(ids))
        self.assertEqual(len(self.calls("apply_room_settings")), 4)
        # Both did work: the claims split it, they did not serialise it onto one.
        self.assertEqual({c[0] for c in self.calls()}, {"T1", "T2"})

    def test_ticker_lease_one_process_ticks_and_another_takes_over_when_it_dies(self):
        a = start_peer(self, "T1", "--ticker-lease-ms", "800")
        b = start_peer(self, "T2", "--ticker-lease-ms", "800")
        a.cmd("seed")
        self.assertEqual(a.cmd("tick 1 0 0"), "4")
        a.cmd("submit Lease1 10 14 60")
        self.assertEqual(b.cmd("tick 1 0 1"), "0")  # a holds the lease
        self.assertEqual(a.cmd("tick 1 0 1"), "1")
        a.kill()
        b.cmd("submit Lease2 10 16 60")
        self.assertEqual(b.cmd("tick 1 0 2"), "0")  # the dead holder's lease holds a while
        time.sleep(1.0)
        self.assertEqual(b.cmd("tick 1 0 3"), "1")  # taken over
        self.assertEqual([c[0] for c in self.creates("Lease2")], ["T2"])
        self.assertEqual([c[0] for c in self.creates("Lease1")], ["T1"])

    def test_a_claim_of_a_killed_process_is_taken_over_with_the_stored_password(self):
        a = start_peer(self, "T1", "--key", KEY, "--slow-ms", "600", "--claim-ttl-ms", "400")
        a.cmd("seed")
        rid = a.cmd("submit Killed 10 14 60").split()[0]
        a.cmd("tick 1 0 0")
        a.send("tick 10 11 30")  # set_password claimed, its backend call takes 600 ms
        time.sleep(0.3)
        a.kill()  # during the call: the claim and the sealed password are committed
        b = start_peer(self, "T2", "--key", KEY, "--claim-ttl-ms", "400")
        time.sleep(0.5)
        b.cmd("tick 10 11 31")
        sets = [unhex(c[3]) for c in self.calls("set_user_password")]
        mails = self.mails(f"credentials/{rid}/")
        self.assertEqual(len(mails), 1, mails)
        self.assertEqual(len(set(sets)), 1, "a second password was drawn")
        self.assertIn(sets[0], mails[0][2])


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True)
    ap.add_argument("--store", choices=["sqlite", "postgres"], required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
