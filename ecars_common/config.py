"""Settings from environment variables, with defaults that work on a developer's machine."""

import os
from dataclasses import dataclass, field, fields

SERVICES = ("auth", "contracts", "cpom", "documents", "reporting", "notifications")
DEFAULT_PORTS = {name: 8101 + i for i, name in enumerate(SERVICES)}


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Settings:
    """What every service reads. A service's own config.py subclasses it for its extra settings."""

    service: str = ""
    database_url: str = field(
        default_factory=lambda: env("ECARS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ecars")
    )
    amqp_url: str = field(default_factory=lambda: env("ECARS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    exchange: str = field(default_factory=lambda: env("ECARS_EXCHANGE", "ecars.events"))
    # Prefix for queue names, so that a test run never steals a local run's messages.
    queue_prefix: str = field(default_factory=lambda: env("ECARS_QUEUE_PREFIX", ""))
    log_level: str = field(default_factory=lambda: env("ECARS_LOG_LEVEL", "INFO"))
    consumer_max_attempts: int = field(default_factory=lambda: env_int("ECARS_CONSUMER_MAX_ATTEMPTS", 5))
    # Seconds before a failed message is retried; doubles at each attempt.
    consumer_retry_delay: float = field(
        default_factory=lambda: float(env("ECARS_CONSUMER_RETRY_DELAY", "1.0"))
    )
    # How often each process reads auth's token revocations (ecars_common/revocations.py): the bound, in seconds,
    # on how long a revoked access token is still accepted.
    revocation_poll_seconds: float = field(
        default_factory=lambda: float(env("ECARS_TOKEN_REVOCATION_POLL_SECONDS", "2.0"))
    )
    # Outbox rows sent and inbox rows received longer ago than this are purged by the worker (housekeeping.py)
    events_retention_days: float = field(default_factory=lambda: float(env("ECARS_EVENTS_RETENTION_DAYS", "30")))
    housekeeping_interval_seconds: float = field(
        default_factory=lambda: float(env("ECARS_HOUSEKEEPING_INTERVAL_SECONDS", "60")))
    # What a service shows auth to read its internal feeds (the habilitations snapshot a reconciliation compares
    # with, ecars_common/reconcile.py): a secret shared by the platform's processes, never by a person.
    service_key: str = field(default_factory=lambda: env("ECARS_SERVICE_KEY", "local-dev-service-key"))
    testing: bool = False

    @property
    def schema(self) -> str:
        return self.service

    def service_url(self, name: str) -> str:
        """Where service `name` answers, as the gateway and other services call it."""
        default = f"http://127.0.0.1:{DEFAULT_PORTS[name]}"
        return env(f"ECARS_{name.upper()}_URL", default)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}
