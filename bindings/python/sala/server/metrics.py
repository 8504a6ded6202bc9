"""Prometheus metrics of one server process (a registry of its own, so two
servers in one test process do not share counters)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.http_latency = Histogram(
            "sala_http_request_duration_seconds", "HTTP request latency", ["method", "route", "status"],
            registry=r, buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.commands = Counter("sala_commands_total", "Commands run by the worker", ["command", "outcome"],
                                registry=r)
        self.steps = Counter("sala_lifecycle_steps_total", "Lifecycle steps by outcome", ["outcome"], registry=r)
        self.backend_errors = Counter("sala_backend_errors_total", "Backend errors by kind", ["kind"], registry=r)
        self.auth_failures = Counter("sala_auth_failures_total", "Refused credentials", registry=r)
        self.queue_length = Gauge("sala_queue_length", "Requests waiting in the unassigned queue", registry=r)
        self.open_problems = Gauge("sala_open_problems", "Open lifecycle problems", registry=r)
        self.lifecycle_lag = Gauge("sala_lifecycle_lag_seconds", "How far the lifecycle is behind its next_due",
                                   registry=r)
        self.outbox_backlog = Gauge("sala_outbox_backlog", "Outbox effects not yet delivered", registry=r)
        self.outbox = Counter("sala_outbox_dispatched_total", "Outbox effects by dispatch outcome", ["outcome"],
                              registry=r)
        self.ticker = Gauge("sala_lifecycle_ticker", "1 while this instance holds the ticker lease",
                            registry=r)
        self.worker_queue = Gauge("sala_worker_jobs_waiting", "Jobs waiting for the worker thread", registry=r)
        self.group_size = Histogram("sala_group_commit_commands", "Commands per group commit (2 or more)",
                                    registry=r, buckets=(2, 4, 8, 16, 32, 64, 128, 256))
