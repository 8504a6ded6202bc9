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


class FailingCommit:
    """The real DurablePlatform, except that commit_group fails as a full disk would."""

    def __init__(self, dp: Any) -> None:
        self._dp = dp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dp, name)

    def commit_group(self) -> None:
        self._dp.rollback_group()
        raise sala.StoreError("injected commit failure (test)")


def _grouped_submits(s: Any, n: int, log: list[Any]) -> list[Any]:
    from sala.server.worker import Grouped
    import concurrent.futures
    import datetime as dt
    start = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0) + dt.timedelta(days=30)

    def command(k: int) -> Any:
        def run(ctx: Any, _: Any) -> Any:
            minutes = 900 if k == 1 else 60  # the second is refused: longer than allowed
            return ctx.dp.submit(sala.RequestInput(f"g{k}", start, minutes, f"g{k}",
                                                   sala.Organizer("Ana", "ana@example.org"), zone="UTC")).id
        return run

    def after(k: int) -> Any:
        def run(ctx: Any, _: Any, result: Any, error: Any) -> Any:
            log.append((k, result, type(error).__name__ if error else None))
            if error is not None:
                raise error
            return result
        return run
    return [(Grouped(command(k), None, after(k)), concurrent.futures.Future()) for k in range(n)]


def test_group_commit_shares_one_transaction_and_a_refused_command_stays_out(tmp_path: Path,
                                                                             monkeypatch: Any) -> None:
    s, _ = _server(tmp_path, monkeypatch)
    s.worker.start()
    try:
        log: list[Any] = []
        jobs = _grouped_submits(s, 4, log)
        version = s.worker.ctx.dp.version
        with s.worker._busy:
            s.worker._run_jobs(jobs)
        ids = [f.result(0) if f.exception(0) is None else type(f.exception(0)).__name__ for _, f in jobs]
        assert ids[1] == "InvalidArgumentError" and len({ids[0], ids[2], ids[3]}) == 3, (ids, log)
        assert [e for _, _, e in log] == [None, "InvalidArgumentError", None, None]
        assert s.worker.ctx.dp.version == version + 3  # three commands' writes, one commit
        assert sala.SqliteStore.open(str(tmp_path / "w.db")).version() == version + 3
    finally:
        s.worker.stop()


def test_a_failed_group_commit_fails_every_command_and_changes_nothing(tmp_path: Path,
                                                                       monkeypatch: Any) -> None:
    s, _ = _server(tmp_path, monkeypatch)
    s.worker.start()
    try:
        real = s.worker.ctx.dp
        before = real.state()
        s.worker.ctx.dp = FailingCommit(real)
        log: list[Any] = []
        jobs = _grouped_submits(s, 3, log)
        with s.worker._busy:
            s.worker._run_jobs(jobs)
        assert [type(f.exception(0)).__name__ for _, f in jobs] == ["StoreError", "StoreError", "StoreError"]
        assert [(r, e) for _, r, e in log] == [(None, "StoreError")] * 3  # no job was told it happened
        s.worker.ctx.dp = real
        assert real.state() == before and not real.in_group
        assert sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "w.db"))).state() == before
    finally:
        s.worker.stop()


def test_submit_takes_the_fast_path_and_stays_in_the_openapi_document(tmp_path: Path, monkeypatch: Any) -> None:
    s, _ = _server(tmp_path, monkeypatch)
    assert ("POST", "/v1/requests") in s.fast
    doc = s.app.openapi()
    assert "post" in doc["paths"]["/v1/requests"]
    body = doc["paths"]["/v1/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/RequestIn")
