"""The server's own tables (API tokens, idempotency keys, the Zoom webhook inbox), kept in the store's
SQLite file next to sala's tables but never touched by the library.

Why the same file: one file to back up, and durability for free. The server's
connection commits with synchronous=NORMAL; its rows are appended to the same
write-ahead log the store then fsyncs on its next commit, so an idempotency
row written before a command is on disk once that command's commit is.

Tokens are stored as SHA-256 digests (they are 256-bit random values, so a
fast hash is enough); the token itself is printed once and never stored."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import Optional

ROLES = ("admin", "organizer", "platform")
TOKEN_PREFIX = "sala_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS server_tokens(
  id INTEGER PRIMARY KEY,
  digest TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'platform')),
  email TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  revoked INTEGER);
CREATE TABLE IF NOT EXISTS server_idempotency(
  principal INTEGER NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  expected_request INTEGER,
  expected_check TEXT,
  status INTEGER,
  body TEXT,
  created INTEGER NOT NULL,
  PRIMARY KEY (principal, key));
CREATE TABLE IF NOT EXISTS server_zoom_inbox(
  id INTEGER PRIMARY KEY,
  delivery_key TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  action TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  outcome TEXT,
  request INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  received INTEGER NOT NULL,
  processed INTEGER);
"""


@dataclass(frozen=True)
class Principal:
    id: int
    role: str
    email: str
    name: str


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ServerDB:
    """One connection; use it from one thread."""

    def __init__(self, path: str, *, shares_store_file: bool = True) -> None:
        self.path = path
        # check_same_thread off: the worker and inline jobs use it in turn, under the worker's lock.
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA busy_timeout = 30000")
        if not shares_store_file:
            # A file of its own (PostgreSQL mode): no store commit fsyncs it for us.
            self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = " + ("NORMAL" if shares_store_file else "FULL"))
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    # ---- tokens ------------------------------------------------------------------------
    def create_token(self, role: str, email: str = "", name: str = "") -> tuple[int, str]:
        if role not in ROLES:
            raise ValueError(f"role: must be one of {', '.join(ROLES)}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        cur = self.conn.execute(
            "INSERT INTO server_tokens(digest, role, email, name, created) VALUES (?, ?, ?, ?, ?)",
            (digest(token), role, email, name, int(time.time())))
        return int(cur.lastrowid or 0), token

    def lookup(self, token: str) -> Optional[Principal]:
        row = self.conn.execute(
            "SELECT id, role, email, name FROM server_tokens WHERE digest = ? AND revoked IS NULL",
            (digest(token),)).fetchone()
        return Principal(*row) if row else None

    def list_tokens(self) -> list[tuple[int, str, str, str, int, Optional[int]]]:
        return list(self.conn.execute(
            "SELECT id, role, email, name, created, revoked FROM server_tokens ORDER BY id"))

    def revoke(self, token_id: int) -> bool:
        cur = self.conn.execute("UPDATE server_tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                                (int(time.time()), token_id))
        return cur.rowcount == 1

    # ---- idempotency keys -----------------------------------------------------------------
    def idem_get(self, principal: int, key: str) -> Optional[tuple[str, str, Optional[StoredResponse]]]:
        """(fingerprint, state, response if done) or None."""
        row = self.conn.execute(
            "SELECT fingerprint, state, status, body FROM server_idempotency WHERE principal = ? AND key = ?",
            (principal, key)).fetchone()
        if not row:
            return None
        resp = StoredResponse(row[2], row[3]) if row[1] == "done" else None
        return row[0], row[1], resp

    def idem_pending(self, principal: int, key: str, fingerprint: str,
                     expected_request: Optional[int], expected_check: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO server_idempotency(principal, key, fingerprint, state, expected_request,"
            " expected_check, created) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
            (principal, key, fingerprint, expected_request, expected_check, int(time.time())))

    def idem_done(self, principal: int, key: str, fingerprint: str, status: int, body: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO server_idempotency(principal, key, fingerprint, state, status, body, created)"
            " VALUES (?, ?, ?, 'done', ?, ?, ?)",
            (principal, key, fingerprint, status, body, int(time.time())))

    def idem_forget(self, principal: int, key: str) -> None:
        self.conn.execute("DELETE FROM server_idempotency WHERE principal = ? AND key = ?", (principal, key))

    def idem_pending_rows(self) -> list[tuple[int, str, str, Optional[int], str]]:
        return list(self.conn.execute(
            "SELECT principal, key, fingerprint, expected_request, expected_check FROM server_idempotency"
            " WHERE state = 'pending'"))

    def idem_prune(self, older_than_seconds: int) -> int:
        cur = self.conn.execute("DELETE FROM server_idempotency WHERE state = 'done' AND created < ?",
                                (int(time.time()) - older_than_seconds,))
        return cur.rowcount

    # ---- the store's outbox, read only (for the backlog metric) ------------------------------
    def outbox_backlog(self) -> Optional[int]:
        try:
            row = self.conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0])

    # ---- the Zoom webhook inbox (zoom_webhooks.py) ------------------------------------------
    # One row per delivery (its key: what Zoom resends unchanged), written before the 200;
    # `action` is what to do, as JSON, without the download token (a secret).
    def inbox_add(self, delivery_key: str, event: str, action: str) -> bool:
        """False when this delivery is already in the inbox (a retry by Zoom)."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO server_zoom_inbox(delivery_key, event, action, state, received)"
            " VALUES (?, ?, ?, 'pending', ?)", (delivery_key, event, action, int(time.time())))
        return cur.rowcount == 1

    def inbox_pending(self, limit: int = 100) -> list[tuple[int, str, str, int]]:
        return list(self.conn.execute(
            "SELECT id, event, action, attempts FROM server_zoom_inbox WHERE state = 'pending'"
            " ORDER BY id LIMIT ?", (limit,)))

    def inbox_finish(self, row: int, outcome: str, request: Optional[int]) -> None:
        self.conn.execute(
            "UPDATE server_zoom_inbox SET state = 'done', outcome = ?, request = ?, attempts = attempts + 1,"
            " processed = ? WHERE id = ?", (outcome, request, int(time.time()), row))

    def inbox_again(self, row: int, outcome: str) -> None:
        self.conn.execute("UPDATE server_zoom_inbox SET outcome = ?, attempts = attempts + 1 WHERE id = ?",
                          (outcome, row))

    def inbox_list(self, limit: int = 100) -> list[tuple[int, str, str, str, Optional[str], Optional[int], int,
                                                        int, Optional[int]]]:
        return list(self.conn.execute(
            "SELECT id, delivery_key, event, state, outcome, request, attempts, received, processed"
            " FROM server_zoom_inbox ORDER BY id DESC LIMIT ?", (limit,)))
