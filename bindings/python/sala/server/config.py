"""Configuration of `sala serve`: a TOML file, then environment variables, then
command-line options (each later one wins). Secrets are read only from the
environment or from a file named by a `*_FILE` variable; a secret-looking key
in the TOML file is refused, and no secret is ever part of `Config.public()`."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from typing import Any, Optional


class ConfigError(Exception):
    """A bad configuration value; the message names the key and never its value if secret."""


@dataclasses.dataclass
class Config:
    db: Optional[str] = None  # SQLite store file
    pg: Optional[str] = None  # PostgreSQL conninfo (may hold a password: a secret)
    # 64 hex digits sealing credentials in the store (a secret): SALA_CREDENTIALS_KEY(_FILE).
    # Without it credentials live only in the process that issued them (lost on restart,
    # unknown to another instance).
    credentials_key: Optional[str] = None
    # The Zoom app's webhook Secret Token (a secret): SALA_ZOOM_WEBHOOK_SECRET(_FILE).
    # Without it POST /v1/zoom/webhook answers 503.
    zoom_webhook_secret: Optional[str] = None
    pg_schema: str = "sala"
    server_db: Optional[str] = None  # the server's tables (tokens, idempotency keys); default: db
    listen: str = "127.0.0.1:8080"
    sqlite_full_sync: bool = True
    max_body_bytes: int = 64 * 1024
    keep_alive_seconds: int = 75  # as nginx's upstream keep-alive; uvicorn's default 5 s drops busy clients
    ready_max_lag_seconds: int = 300
    auth_failures_per_minute: int = 20
    page_size_max: int = 500
    conferencing: str = "none"  # none | fake | zoom
    fake_users: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    mailer: str = "none"  # none | fake | outbox | smtp
    outbox_dir: str = "mail-out"
    platform_name: str = "sala"
    sender: str = ""
    admin: str = ""
    language: str = "en"
    reports_dir: str = ""
    recordings_dir: str = ""
    # Several instances on one store: only the holder of the store's ticker lease runs the
    # lifecycle; the others take it over this long after the holder stopped renewing it.
    # 0: every instance ticks (steps are still claimed one by one, docs/lifecycle.md).
    ticker_lease_seconds: int = 15
    docs: bool = True
    access_log: bool = True
    # Group commit: commands waiting together (submit, cancel, retry, assign, reassign) share
    # one store transaction, at most this many; 1: each command commits alone.
    group_commit_max: int = 64
    # Webhooks out (webhooks_out.py): backoff base doubling per attempt, attempts per round,
    # per-attempt timeout, concurrent senders; `always`: plan webhook effects even before an
    # endpoint is registered (otherwise they start with the first registration).
    webhook_retry_base_seconds: int = 30
    webhook_max_attempts: int = 8
    webhook_timeout_seconds: int = 10
    webhook_senders: int = 4
    webhooks_always: bool = False

    def store_label(self) -> str:
        """Where the state lives, for logs: the file, or the PostgreSQL schema (no conninfo)."""
        return self.db if self.db else f"postgresql schema {self.pg_schema}"

    def public(self) -> dict[str, Any]:
        """The configuration as it may be logged: secrets left out."""
        d = dataclasses.asdict(self)
        d["pg"] = "(set)" if self.pg else None
        d["credentials_key"] = "(set)" if self.credentials_key else None
        d["zoom_webhook_secret"] = "(set)" if self.zoom_webhook_secret else None
        return d


# Keys of the TOML file: section -> key -> (Config field, type).
_KEYS: dict[str, dict[str, tuple[str, type]]] = {
    "server": {
        "listen": ("listen", str),
        "max_body_bytes": ("max_body_bytes", int),
        "keep_alive_seconds": ("keep_alive_seconds", int),
        "ready_max_lag_seconds": ("ready_max_lag_seconds", int),
        "auth_failures_per_minute": ("auth_failures_per_minute", int),
        "page_size_max": ("page_size_max", int),
        "docs": ("docs", bool),
        "access_log": ("access_log", bool),
        "group_commit_max": ("group_commit_max", int),
    },
    "store": {
        "db": ("db", str),
        "pg_schema": ("pg_schema", str),
        "server_db": ("server_db", str),
        "sqlite_full_sync": ("sqlite_full_sync", bool),
    },
    "conferencing": {"backend": ("conferencing", str), "fake_users": ("fake_users", list)},
    "mail": {
        "backend": ("mailer", str),
        "outbox_dir": ("outbox_dir", str),
        "sender": ("sender", str),
        "admin": ("admin", str),
    },
    "lifecycle": {
        "platform_name": ("platform_name", str),
        "language": ("language", str),
        "reports_dir": ("reports_dir", str),
        "recordings_dir": ("recordings_dir", str),
        "ticker_lease_seconds": ("ticker_lease_seconds", int),
    },
    "webhooks": {
        "retry_base_seconds": ("webhook_retry_base_seconds", int),
        "max_attempts": ("webhook_max_attempts", int),
        "timeout_seconds": ("webhook_timeout_seconds", int),
        "senders": ("webhook_senders", int),
        "always": ("webhooks_always", bool),
    },
}

# Environment variables that override the file (non-secret).
_ENV: dict[str, tuple[str, type]] = {
    "SALA_DB": ("db", str),
    "SALA_LISTEN": ("listen", str),
    "SALA_PG_SCHEMA": ("pg_schema", str),
    "SALA_SERVER_DB": ("server_db", str),
    "SALA_CONFERENCING": ("conferencing", str),
    "SALA_MAILER": ("mailer", str),
    "SALA_OUTBOX_DIR": ("outbox_dir", str),
    "SALA_MAX_BODY_BYTES": ("max_body_bytes", int),
    "SALA_READY_MAX_LAG_SECONDS": ("ready_max_lag_seconds", int),
    "SALA_TICKER_LEASE_SECONDS": ("ticker_lease_seconds", int),
}

_SECRET_WORDS = re.compile(r"(secret|password|passwd|token|conninfo|key)", re.I)


def secret_from_env(name: str, env: Optional[dict[str, str]] = None) -> Optional[str]:
    """`NAME` or the contents of the file `NAME_FILE` (trailing newline dropped)."""
    env = os.environ if env is None else env
    if env.get(name):
        return env[name]
    path = env.get(name + "_FILE")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().rstrip("\n")
    except OSError as e:
        raise ConfigError(f"{name}_FILE: cannot read the file ({e.strerror})") from None


def _typed(where: str, value: Any, want: type) -> Any:
    if want is bool and isinstance(value, str):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: expected true or false")
    if want is int and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{where}: expected a whole number") from None
    if not isinstance(value, want) or (want is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {want.__name__}, got {type(value).__name__}")
    return value


def load(path: Optional[str], env: Optional[dict[str, str]] = None, **overrides: Any) -> Config:
    """Reads the TOML file (if any), the environment, then `overrides` (non-None only)."""
    env = dict(os.environ) if env is None else env
    cfg = Config()
    if path:
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except OSError as e:
            raise ConfigError(f"--config: cannot read {path!r} ({e.strerror})") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"--config: {path!r} is not valid TOML ({e})") from None
        for section, values in data.items():
            if section not in _KEYS or not isinstance(values, dict):
                raise ConfigError(f"config [{section}]: unknown section (known: {', '.join(_KEYS)})")
            for key, value in values.items():
                where = f"config [{section}] {key}"
                if key not in _KEYS[section]:
                    if _SECRET_WORDS.search(key):
                        raise ConfigError(f"{where}: secrets are not read from the config file; "
                                          "set them in the environment (or NAME_FILE)")
                    raise ConfigError(f"{where}: unknown key")
                field, want = _KEYS[section][key]
                setattr(cfg, field, _typed(where, value, want))
    for name, (field, want) in _ENV.items():
        if env.get(name):
            setattr(cfg, field, _typed(name, env[name], want))
    pg = secret_from_env("SALA_PG_CONNINFO", env)
    if pg:
        cfg.pg = pg
    zoom_secret = secret_from_env("SALA_ZOOM_WEBHOOK_SECRET", env)
    if zoom_secret:
        cfg.zoom_webhook_secret = zoom_secret.strip()
    key = secret_from_env("SALA_CREDENTIALS_KEY", env)
    if key:
        cfg.credentials_key = key.strip()
    for field, value in overrides.items():
        if value is not None:
            setattr(cfg, field, value)
    validate(cfg)
    return cfg


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"listen: {listen!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def validate(cfg: Config) -> None:
    if bool(cfg.db) == bool(cfg.pg):
        raise ConfigError("store: give exactly one of --db PATH (SQLite) or --pg CONNINFO "
                          "(or SALA_PG_CONNINFO)")
    if cfg.server_db is None:
        if cfg.pg:
            raise ConfigError("store: with PostgreSQL give --server-db PATH, the SQLite file of the "
                              "server's tokens and idempotency keys")
        cfg.server_db = cfg.db
    parse_listen(cfg.listen)
    if cfg.conferencing not in ("none", "fake", "zoom"):
        raise ConfigError("conferencing backend: one of none, fake, zoom")
    if cfg.mailer not in ("none", "fake", "outbox", "smtp"):
        raise ConfigError("mail backend: one of none, fake, outbox, smtp")
    if cfg.language not in ("en", "es"):
        raise ConfigError("lifecycle language: one of en, es")
    for name in ("max_body_bytes", "keep_alive_seconds", "ready_max_lag_seconds", "auth_failures_per_minute",
                 "page_size_max", "webhook_retry_base_seconds", "webhook_max_attempts", "webhook_timeout_seconds",
                 "webhook_senders"):
        if getattr(cfg, name) < 1:
            raise ConfigError(f"{name}: must be at least 1")
    if cfg.credentials_key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", cfg.credentials_key):
        raise ConfigError("SALA_CREDENTIALS_KEY: must be 64 hexadecimal digits (a 32-byte key, e.g. "
                          "`openssl rand -hex 32`); the value is not shown")
    if not 1 <= cfg.group_commit_max <= 10000:
        raise ConfigError("group_commit_max: must be 1 (each command commits alone) to 10000")
    if not 0 <= cfg.ticker_lease_seconds <= 3600:
        raise ConfigError("ticker_lease_seconds: must be 0 (every instance ticks) to 3600")
