"""Structured logs: one JSON object per line on standard output.

Callers pass named fields; values are never secrets (the server logs no
token, password, conninfo or request body, only ids, names of things and
sala's own error messages, which never carry secrets)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from typing import Any, TextIO


class Log:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self._out = out
        self._lock = threading.Lock()

    def write(self, level: str, event: str, **fields: Any) -> None:
        rec = {"ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
               "level": level, "event": event}
        rec.update({k: v for k, v in fields.items() if v is not None})
        line = json.dumps(rec, ensure_ascii=False, default=str)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def info(self, event: str, **fields: Any) -> None:
        self.write("info", event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        self.write("warning", event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        self.write("error", event, **fields)
