"""The worker thread in-process: the outbox dispatcher runs only when handlers
are registered, at start (what a crash left), after commands, and backs off a
minute when effects are being retried. A stand-in for sala.OutboxDispatcher
records what the worker asks of it (the real one is the library's)."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sala
from sala.server import config
from sala.server.__main__ import build
from sala.server.logs import Log


class RecordingDispatcher:
    instances: list["RecordingDispatcher"] = []

    def __init__(self, store: Any, clock: Any) -> None:
        self.store = store
        self.handlers: dict[str, Any] = {}
        self.calls = 0
        self.retrying = 0
        self.thread: set[str] = set()
        self.called = threading.Event()
        RecordingDispatcher.instances.append(self)

    def on(self, kind: str, handler: Any) -> None:
        self.handlers[kind] = handler

    def dispatch(self, limit: int = 100) -> Any:
        self.calls += 1
        self.thread.add(threading.current_thread().name)
        for h in self.handlers.values():
            h(SimpleNamespace(kind="webhook", idempotency_key=f"k{self.calls}"))
        self.called.set()
        return SimpleNamespace(sent=1, retrying=self.retrying, failed=0)


def _server(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.setattr(sala, "OutboxDispatcher", RecordingDispatcher, raising=False)
    RecordingDispatcher.instances.clear()
    log = io.StringIO()
    s = build(config.load(None, env={}, db=str(tmp_path / "w.db")), Log(log))
    return s, log


def test_no_handlers_no_dispatcher(tmp_path: Path, monkeypatch: Any) -> None:
    s, _ = _server(tmp_path, monkeypatch)
    assert set(s.worker.dispatch_handlers) == {"webhook"}  # build() installs webhooks_out
    s.worker.dispatch_handlers.clear()
    s.worker.start()
    try:
        s.worker.call(lambda c: c.dp.rooms()).result(10)
        time.sleep(0.3)
        assert RecordingDispatcher.instances == [] and s.worker.ctx.dispatcher is None
    finally:
        s.worker.stop()


def test_dispatch_at_start_after_commands_and_backoff(tmp_path: Path, monkeypatch: Any) -> None:
    s, log = _server(tmp_path, monkeypatch)
    seen: list[Any] = []
    s.worker.dispatch_handlers["webhook"] = lambda ctx, effect: seen.append((ctx, effect.idempotency_key))
    s.worker.start()
    try:
        (d,) = RecordingDispatcher.instances
        assert d.called.wait(10) and d.calls == 1 and set(d.handlers) == {"webhook"}
        assert seen[0][0] is s.worker.ctx and d.thread == {"sala-worker"}
        d.called.clear()
        s.worker.call(lambda c: c.dp.rooms()).result(10)
        assert d.called.wait(10) and d.calls == 2
        # Effects being retried: no new dispatch for a minute unless a command commits more.
        d.retrying = 1
        d.called.clear()
        s.worker.call(lambda c: c.dp.rooms()).result(10)
        assert d.called.wait(10)
        n = d.calls
        time.sleep(1.0)
        assert d.calls == n
        assert 50 < s.worker._dispatch_at - time.time() <= 60
        assert '"event": "dispatch"' in log.getvalue()
        text = __import__("prometheus_client").generate_latest(s.metrics.registry).decode()
        assert 'sala_outbox_dispatched_total{outcome="sent"} 3.0' in text
    finally:
        s.worker.stop()


def test_handlers_without_the_binding_refuse_to_start(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delattr(sala, "OutboxDispatcher", raising=False)
    s = build(config.load(None, env={}, db=str(tmp_path / "n.db")), Log(io.StringIO()))
    s.worker.dispatch_handlers["webhook"] = lambda ctx, effect: None
    with pytest.raises(RuntimeError, match="OutboxDispatcher"):
        s.worker.start()
