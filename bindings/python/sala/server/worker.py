"""The one thread that owns the durable platform, its lifecycle and the
server's database connection. sala's durable objects are not thread-safe, so
every HTTP handler hands its work to this thread as a job and awaits the
result; between jobs the thread runs the lifecycle when it is due.

No polling: the thread sleeps until the lifecycle's next_due or until a job
arrives (a job may make work due: after a batch of jobs next_due is asked
again). On stop it finishes the jobs it has taken and the tick in hand (a
tick saves its step state before it returns), then closes."""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import threading
import time
from typing import Any, Callable, Optional

import sala

from . import config as config_mod
from .logs import Log
from .metrics import Metrics
from .serverdb import ServerDB

UTC = dt.timezone.utc
NOT_RUN = object()  # try_inline's answer when the worker is busy


class Done:
    """What a Grouped job's `before` returns when it has its answer already (a replay)."""

    def __init__(self, value: Any) -> None:
        self.value = value


class Grouped:
    """A command that may share one store transaction with the commands waiting
    next to it (group commit: one commit, one fsync, for all of them).

    `before(ctx)` runs outside the transaction (the server's own tables: a
    replayed or refused Idempotency-Key; records the key as pending) and returns
    what `command` and `after` get, or Done(answer). `command(ctx, prepared)` is
    the platform command. `after(ctx, prepared, result, error)` runs once the
    group has committed (error None) or failed (error: the command's own, or the
    group's commit failure); it returns the job's answer or raises. Called as a
    plain job, the three run in a row and the command commits alone."""

    def __init__(self, command: Callable[[Context, Any], Any],
                 before: Optional[Callable[[Context], Any]] = None,
                 after: Optional[Callable[[Context, Any, Any, Optional[BaseException]], Any]] = None) -> None:
        self.command = command
        self.before = before or (lambda ctx: None)
        self.after = after or _plain_after

    def __call__(self, ctx: Context) -> Any:
        prepared = self.before(ctx)
        if isinstance(prepared, Done):
            return prepared.value
        try:
            result = self.command(ctx, prepared)
        except BaseException as e:
            return self.after(ctx, prepared, None, e)
        return self.after(ctx, prepared, result, None)


def _plain_after(ctx: Context, prepared: Any, result: Any, error: Optional[BaseException]) -> Any:
    if error is not None:
        raise error
    return result


class Context:
    """What a job sees: the platform, the lifecycle (None when no conferencing
    backend is configured), the server database and the clock."""

    def __init__(self) -> None:
        self.store: Any = None
        self.dp: Any = None
        self.life: Any = None
        self.conferencing: Any = None
        self.mailer: Any = None
        self.clock: Any = None
        self.db: Optional[ServerDB] = None
        self.dispatcher: Any = None  # sala.OutboxDispatcher, when handlers are registered

    def now(self) -> dt.datetime:
        return self.clock.now()


def _open_backends(cfg: config_mod.Config, ctx: Context) -> None:
    if cfg.db:
        ctx.store = sala.SqliteStore.open(cfg.db, create=True, full_sync=cfg.sqlite_full_sync)
    else:
        ctx.store = sala.PostgresStore.open(cfg.pg, schema=cfg.pg_schema)
    ctx.clock = sala.SystemClock()
    ctx.dp = sala.DurablePlatform(ctx.store, ctx.clock)
    if cfg.conferencing == "none":
        return
    if cfg.conferencing == "fake":
        users = [sala.AccountUser(u["user_id"], u["email"], u.get("display_name", ""),
                                  capacity=int(u.get("capacity", 100)))
                 for u in cfg.fake_users]
        ctx.conferencing = sala.FakeConferencing(users, ctx.clock)
    else:
        ctx.conferencing = sala.ZoomRest(sala.ZoomConfig.from_env())
    if cfg.mailer in ("none", "fake"):
        ctx.mailer = sala.FakeMailer()
    elif cfg.mailer == "outbox":
        ctx.mailer = sala.OutboxMailer(cfg.outbox_dir)
    else:
        ctx.mailer = sala.SmtpMailer(sala.SmtpConfig.from_env())
    o = sala.LifecycleOptions()
    o.platform_name = cfg.platform_name
    o.language = sala.Language(cfg.language)
    if cfg.sender:
        o.sender = sala.MailAddress(cfg.sender)
    if cfg.admin:
        o.admin = sala.MailAddress(cfg.admin)
    if cfg.reports_dir:
        o.reports_dir = cfg.reports_dir
    if cfg.recordings_dir:
        o.recordings_dir = cfg.recordings_dir
    if cfg.credentials_key:
        o.credentials_key = cfg.credentials_key
    if cfg.ticker_lease_seconds > 0:
        o.ticker_lease = dt.timedelta(seconds=cfg.ticker_lease_seconds)
    ctx.life = sala.DurableLifecycle(ctx.dp, ctx.conferencing, ctx.mailer, o)


class Worker:
    def __init__(self, cfg: config_mod.Config, log: Log, metrics: Metrics,
                 on_open: Optional[Callable[[Context], None]] = None) -> None:
        self.cfg = cfg
        self.log = log
        self.metrics = metrics
        self.ctx = Context()
        self._on_open = on_open
        self._cv = threading.Condition()
        # Held while sala objects are in use (the worker's batches and ticks, inline jobs).
        self._busy = threading.Lock()
        self._jobs: collections.deque[tuple[Callable[[Context], Any], concurrent.futures.Future[Any]]] = \
            collections.deque()
        self._stop = False
        self._opened = threading.Event()
        self._open_error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="sala-worker", daemon=True)
        self._due_dirty = True
        self._hold_until: Optional[float] = None
        self.next_due: Optional[dt.datetime] = None  # read by /metrics and /readyz (a plain value)
        self.ticks = 0
        self.is_ticker: Optional[bool] = None  # None until the first tick
        self._last_tick = 0.0  # time.time() of the last tick (0: none yet, so one at start)
        # The outbox: effect kind -> handler(ctx, effect), registered before start() by the
        # parts that produce effects (webhooks). No handlers, no dispatcher: the library's
        # dispatcher marks an effect of a kind it has no handler for as failed for good.
        self.dispatch_handlers: dict[str, Callable[[Context, Any], None]] = {}
        self._dispatch_at: Optional[float] = None

    # ---- called from other threads -------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        self._opened.wait()
        if self._open_error is not None:
            raise self._open_error

    def call(self, fn: Callable[[Context], Any]) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._cv:
            if self._stop:
                from .problems import ApiProblem
                fut.set_exception(ApiProblem(503, "stopping", "The server is stopping", "try again shortly",
                                             headers={"Retry-After": "5"}))
                return fut
            self._jobs.append((fn, fut))
            self.metrics.worker_queue.set(len(self._jobs))
            self._cv.notify()
        return fut

    def try_inline(self, fn: Callable[[Context], Any]) -> Any:
        """Runs a short job in the caller's thread when the worker is idle (saves
        two thread hops per request); NOT_RUN when it is busy or has jobs queued,
        so order between queued jobs and this one is kept."""
        if self._stop or self._jobs or not self._busy.acquire(blocking=False):
            return NOT_RUN
        try:
            return fn(self.ctx)
        finally:
            self._due_dirty = True
            if self.ctx.dispatcher is not None:
                self._dispatch_at = 0.0
            self._busy.release()
            if self.ctx.life is not None or self.ctx.dispatcher is not None:
                with self._cv:
                    self._cv.notify()  # the job may have made lifecycle work due

    def stop(self, timeout: float = 120) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(timeout)

    def lag_seconds(self) -> float:
        nd = self.next_due
        if nd is None:
            return 0.0
        return max(0.0, time.time() - nd.timestamp())

    # ---- the thread ---------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            _open_backends(self.cfg, self.ctx)
            if self.cfg.server_db:
                self.ctx.db = ServerDB(self.cfg.server_db, shares_store_file=self.cfg.server_db == self.cfg.db)
            if self._on_open:
                self._on_open(self.ctx)
            if self.dispatch_handlers:
                self._open_dispatcher()
        except BaseException as e:  # reported by start() in the caller's thread
            self._open_error = e
            self._opened.set()
            return
        self._opened.set()
        try:
            self._loop()
        finally:
            if self.ctx.db:
                self.ctx.db.close()

    def _open_dispatcher(self) -> None:
        if not hasattr(sala, "OutboxDispatcher"):
            raise RuntimeError("outbox handlers are registered but this sala module has no OutboxDispatcher")
        d = sala.OutboxDispatcher(self.ctx.store, self.ctx.clock)
        for kind, handler in self.dispatch_handlers.items():
            d.on(kind, lambda effect, h=handler: h(self.ctx, effect))
        self.ctx.dispatcher = d
        self._dispatch_at = 0.0  # what was committed before a restart goes out first

    def _dispatch(self) -> None:
        t0 = time.perf_counter()
        r = self.ctx.dispatcher.dispatch()
        for outcome in ("sent", "retrying", "failed"):
            n = getattr(r, outcome)
            if n:
                self.metrics.outbox.labels(outcome=outcome).inc(n)
        if r.sent or r.retrying or r.failed:
            self.log.info("dispatch", sent=r.sent, retrying=r.retrying, failed=r.failed,
                          latency_ms=round((time.perf_counter() - t0) * 1000, 2))
        if r.sent + r.retrying + r.failed >= 100:
            self._dispatch_at = 0.0  # a full batch: there may be more
        elif r.retrying:
            self._dispatch_at = time.time() + 60  # the dispatcher's backoff is in whole minutes
        else:
            self._dispatch_at = None

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._jobs and not self._stop:
                    wait = self._wait_seconds()
                    if wait is not None and wait <= 0:
                        break
                    self._cv.wait(wait)
                jobs = list(self._jobs)
                self._jobs.clear()
                self.metrics.worker_queue.set(0)
                stopping = self._stop
            with self._busy:
                self._run_jobs(jobs)
            if jobs:
                self._due_dirty = True
                if self.ctx.dispatcher is not None:
                    self._dispatch_at = 0.0
            if stopping:
                with self._cv:
                    if not self._jobs:
                        return
                continue
            # Between batches, also under constant load (a tick never waits for an idle moment).
            # A failure here must not end the thread (the API would hang): log, retry next minute.
            try:
                if self.ctx.life is not None:
                    wait = self._life_wait()
                    if wait is not None and wait <= 0:
                        with self._busy:
                            self._tick()
                        if self.ctx.dispatcher is not None:
                            self._dispatch_at = 0.0
                if self._dispatch_at is not None and self._dispatch_at <= time.time():
                    with self._busy:
                        self._dispatch()
            except Exception as e:
                self.metrics.backend_errors.labels(kind=type(e).__name__).inc()
                self.log.error("backend_error", where="worker", kind=type(e).__name__, detail=str(e))
                self._hold_until = time.time() + 60
                if self._dispatch_at is not None:
                    self._dispatch_at = time.time() + 60

    def _run_jobs(self, jobs: list[tuple[Callable[[Context], Any], concurrent.futures.Future[Any]]]) -> None:
        """In arrival order; runs of Grouped jobs share a transaction (group commit)."""
        limit = self.cfg.group_commit_max
        i = 0
        while i < len(jobs):
            j = i
            while j < len(jobs) and isinstance(jobs[j][0], Grouped) and j - i < limit:
                j += 1
            if j - i >= 2:
                self._run_group(jobs[i:j])  # type: ignore[arg-type]
                i = j
                continue
            fn, fut = jobs[i]
            i += 1
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn(self.ctx))
            except BaseException as e:
                fut.set_exception(e)

    def _run_group(self, batch: list[tuple[Grouped, concurrent.futures.Future[Any]]]) -> None:
        ctx = self.ctx
        live: list[tuple[Grouped, concurrent.futures.Future[Any], Any]] = []
        for job, fut in batch:
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                prepared = job.before(ctx)
            except BaseException as e:
                fut.set_exception(e)
                continue
            if isinstance(prepared, Done):
                fut.set_result(prepared.value)
            else:
                live.append((job, fut, prepared))
        if not live:
            return
        outcomes: list[tuple[Any, Optional[BaseException]]] = []
        failure: Optional[BaseException] = None
        try:
            ctx.dp.begin_group()
        except BaseException as e:
            failure = e
        if failure is None:
            for job, _, prepared in live:
                try:
                    outcomes.append((job.command(ctx, prepared), None))
                except BaseException as e:
                    outcomes.append((None, e))
            try:
                ctx.dp.commit_group()
            except BaseException as e:
                failure = e  # nothing of the group happened: every command fails with it
        self.metrics.group_size.observe(len(live))
        for k, (job, fut, prepared) in enumerate(live):
            result, error = outcomes[k] if failure is None else (None, failure)
            try:
                fut.set_result(job.after(ctx, prepared, result, error))
            except BaseException as e:
                fut.set_exception(e)

    def _wait_seconds(self) -> Optional[float]:
        """Seconds until the lifecycle or the outbox is due (<= 0: now); None: nothing scheduled."""
        life = self._life_wait()
        if self._dispatch_at is None:
            return life
        d = self._dispatch_at - time.time()
        return d if life is None else min(life, d)

    def _life_wait(self) -> Optional[float]:
        if self.ctx.life is None:
            return None
        if self._due_dirty:
            with self._busy:
                self._due_dirty = False
                self.next_due = self.ctx.life.next_due()
        at = None if self.next_due is None else self.next_due.timestamp()
        if at is not None and self._hold_until is not None and self._hold_until > at:
            at = self._hold_until
        if self.cfg.ticker_lease_seconds > 0:
            # A heartbeat: renews the lease, replaces a dead holder, and takes in what other
            # instances committed (their commands do not wake this one).
            beat = self._last_tick + self._beat_seconds()
            at = beat if at is None else min(at, beat)
        return None if at is None else at - time.time()

    def _beat_seconds(self) -> float:
        return max(1.0, self.cfg.ticker_lease_seconds / 3)

    def _tick(self) -> None:
        life = self.ctx.life
        # Others' commits first, so the step lines below are this instance's steps only.
        if self.cfg.ticker_lease_seconds > 0:
            try:
                life.take_in()
            except sala.Error:
                pass  # the tick below reports the store's failure
        before = _step_snapshot(life.state())
        lag = self.lag_seconds()
        t0 = time.perf_counter()
        now = self.ctx.now()
        self._last_tick = time.time()
        try:
            ran = life.tick(now)
        except sala.Error as e:
            ran = 0
            self.metrics.backend_errors.labels(kind=type(e).__name__).inc()
            self.log.error("backend_error", where="lifecycle.tick", kind=type(e).__name__, detail=str(e))
        latency = time.perf_counter() - t0
        after_state = life.state()
        changes = _step_changes(before, _step_snapshot(after_state), after_state) if ran else []
        for outcome, rid, step, error in changes:
            self.metrics.steps.labels(outcome=outcome).inc()
            if outcome == "failed":
                self.metrics.backend_errors.labels(kind=step).inc()
                self.log.error("backend_error", where="step", step=step, request=rid, detail=error)
            self.log.info("step", step=step, request=rid, outcome=outcome)
        self.ticks += 1
        self.metrics.lifecycle_lag.set(lag)
        if ran or lag > 0:  # heartbeats that found nothing to do are not logged
            self.log.info("tick", steps=ran, latency_ms=round(latency * 1000, 2), lag_seconds=round(lag, 1))
        self._due_dirty = True
        nd = life.next_due()
        self.next_due = nd
        self._due_dirty = False
        if self.cfg.ticker_lease_seconds > 0:
            held = bool(life.is_ticker)
            if held != self.is_ticker:
                self.log.info("ticker", held=held)
            self.is_ticker = held
            self.metrics.ticker.set(1 if held else 0)
            if not held:
                # Another instance ticks: only the heartbeat asks for the lease again.
                self._hold_until = self._last_tick + self._beat_seconds()
                return
        # Work still due right after a tick (a step waiting on a backend): try again next minute.
        if nd is not None and nd.timestamp() <= time.time():
            self._hold_until = (int(time.time()) // 60 + 1) * 60
        else:
            self._hold_until = None


def _step_snapshot(state: Any) -> dict[tuple[Optional[int], str], tuple[bool, int, int]]:
    snap: dict[tuple[Optional[int], str], tuple[bool, int, int]] = {}
    for rid, w in state.webinars.items():
        for kind, rec in w.steps.items():
            snap[(int(rid), kind.value)] = (rec.done, rec.attempts, rec.failures)
    for room, rec in state.room_settings.items():
        snap[(None, f"apply_room_settings:{int(room)}")] = (rec.done, rec.attempts, rec.failures)
    return snap


def _step_changes(before: dict[tuple[Optional[int], str], tuple[bool, int, int]],
                  after: dict[tuple[Optional[int], str], tuple[bool, int, int]],
                  state: Any) -> list[tuple[str, Optional[int], str, str]]:
    out: list[tuple[str, Optional[int], str, str]] = []
    for key, (done, attempts, failures) in after.items():
        b = before.get(key, (False, 0, 0))
        rid, step = key
        if failures > b[2]:
            err = ""
            w = state.webinars.get(sala.RequestId(rid)) if rid is not None else None
            if w is not None:
                for kind, rec in w.steps.items():
                    if kind.value == step:
                        err = rec.last_error
            out.append(("failed", rid, step, err))
        elif done and not b[0]:
            out.append(("done", rid, step, ""))
        elif attempts > b[1]:
            out.append(("waiting", rid, step, ""))
    return out
