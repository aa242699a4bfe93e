"""Settings shared by every service (pydantic-settings, environment prefix ``FQ_``).

Outside development the settings refuse unsafe defaults: the documented ``dev`` API key,
no API keys at all, the embedded log, SQLite, or the simulated clock. Secrets may come
from files (``FQ_DATABASE_URL_FILE``, ``FQ_SECRETS_DIR``): see shared/settings_base.py.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    Field,
    SecretStr,
    model_validator,
)
from pydantic_settings import SettingsConfigDict

from shared.api.keys_file import (
    CLIENT_NAME_MAX,
    REPORT_ANYWHERE,
    ROLES,
    ApiKeySetting,
    read_keys_file,
)
from shared.runtime.clock import EARLIEST_SIMULATED, LATEST_SIMULATED
from shared.settings_base import Environment, ServiceSettings

DEV_KEY = "dev"
# The event store keys a report's append as ``report:<client>:<Idempotency-Key>`` in a
# 200-character column: these bounds keep every such key inside it (CLIENT_NAME_MAX is
# beside the key setting, shared/api/keys_file.py).
IDEMPOTENCY_KEY_MAX = 128


def _default_org_file() -> Path:
    return Path(__file__).parent / "org" / "data" / "sample_county.json"


def _dev_keys() -> list[ApiKeySetting]:
    return [
        ApiKeySetting(key=SecretStr(DEV_KEY), client="development", regions=[""], roles=list(ROLES))
    ]


DAY_MS = 86_400_000


class CommonSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="FQ_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    gc_young_threshold: int = Field(
        default=10_000,
        ge=0,
        description="Net allocations between collections of the youngest generation, once "
        "the process has started and frozen what startup built (0: CPython's default)",
    )
    read_model_linger_ms: float = Field(
        default=200.0,
        ge=0,
        description="Embedded log: how long the case list, unit queue and measure projections "
        "and the timer index let records gather before a batch (longer than "
        "FQ_EMBEDDED_LINGER_MS: they are off the path of dispatch orders, and a bigger batch "
        "rewrites each case's rows once for several of its events, and costs one transaction "
        "for what would be many)",
    )
    log_backend: Literal["embedded", "kafka"] = "embedded"
    log_url: str = "sqlite+aiosqlite:///data/log.db"
    embedded_linger_ms: float = Field(
        default=10.0,
        ge=0,
        description="Embedded log: how long a caught-up consumer waits after a commit "
        "before reading, so one batch takes what several commits brought "
        "(as Kafka's fetch.max.wait.ms)",
    )
    embedded_watch_ms: float = Field(
        default=0.0,
        ge=0,
        description="Embedded log: how often to look for commits another process made on "
        "the same log file (0: only the once-a-second poll); set it where another process "
        "writes the log, as an intake process of its own does",
    )
    database_url: str = "sqlite+aiosqlite:///data/app.db"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic: str = "case-events"
    kafka_partitions: int = Field(default=12, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_idempotence: bool = True
    kafka_group_prefix: str = Field(default="", description="Prefix of consumer group ids")
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1000)
    kafka_heartbeat_interval_ms: int = Field(default=1_000, ge=100)
    kafka_rebalance_timeout_ms: int = Field(default=30_000, ge=1000)
    kafka_publish_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long an append waits for the broker's acknowledgement before the "
        "request is answered 503 (the events stay in PostgreSQL; the relay publishes them)",
    )
    kafka_max_batch: int = Field(
        default=500,
        ge=1,
        description="Records a consumer takes at once; on SIGTERM the batch in hand is finished, "
        "so it must be handled well within FQ_SHUTDOWN_GRACE_SECONDS",
    )
    kafka_topics: Literal["create", "check"] = Field(
        default="create",
        description="create: create missing topics at start-up; check: refuse to start "
        "without them",
    )
    kafka_dead_letter_retention_ms: int = Field(
        default=30 * DAY_MS,
        ge=-1,
        description="How long the dead-letter topic keeps a record (-1: forever); every "
        "dead letter is also parked in the database",
    )
    kafka_transactions: bool = Field(
        default=False,
        description="A reactor's output events and its input offsets commit in one Kafka "
        "transaction, so readers (read_committed) never see the outputs of a crashed batch "
        "twice; needs FQ_KAFKA_IDEMPOTENCE (correct without: consumers drop the duplicates)",
    )
    kafka_transactional_id: str = Field(
        default_factory=socket.gethostname,
        min_length=1,
        max_length=100,
        description="This instance's part of each transactional.id (default: the host name): "
        "stable across its restarts, unique among running instances",
    )
    kafka_transaction_timeout_ms: int = Field(
        default=30_000,
        ge=1000,
        le=900_000,
        description="How long a reactor's batch transaction may stay open (Kafka's "
        "transaction.max.timeout.ms, 15 minutes by default, caps it)",
    )
    migrations: Literal["apply", "check"] = Field(
        default="apply",
        description="apply: upgrade the database at start-up; check: refuse to start unless "
        "it is at the head revision (python -m services.migrate applies them)",
    )
    reactor_max_attempts: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Tries of an event whose reaction keeps failing with an error that is not "
        "transient, with doubling waits from 0.1 s, before it is parked with the dead letters "
        "(database and broker outages are retried without bound)",
    )
    shutdown_grace_seconds: float = Field(
        default=20.0,
        gt=0,
        description="After SIGTERM: drain requests, finish and commit the events in hand",
    )
    readiness_timeout_seconds: float = Field(
        default=2.0, gt=0, description="How long /readyz waits for the broker and the database"
    )
    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one is answered 413 before it "
        "is read whole (by Content-Length, or counted as a chunked body arrives)",
    )
    org_file: Path = Field(default_factory=_default_org_file)
    api_keys: list[ApiKeySetting] = Field(default_factory=_dev_keys)
    api_keys_file: Path | None = None
    console_session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the web console's session cookies; unset: a random secret per "
        "process, so sessions end when it restarts (set the same value in every process "
        "that serves /v1 behind one address)",
    )
    console_session_minutes: int = Field(
        default=480,
        ge=5,
        le=24 * 60,
        description="How long a web console sign-in lasts before the person signs in again",
    )
    clock: Literal["system", "simulated"] = Field(
        default="system", validation_alias=AliasChoices("FQ_CLOCK", "CLOCK", "clock")
    )
    clock_start: AwareDatetime | None = Field(
        default=None,
        ge=EARLIEST_SIMULATED,
        le=LATEST_SIMULATED,
        description="Where a simulated clock starts (default: now), with its UTC offset, "
        "between 2000 and 2100",
    )
    json_logs: bool = False
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _transactions_need_idempotence(self) -> CommonSettings:
        if self.kafka_transactions and not self.kafka_idempotence:
            raise ValueError("FQ_KAFKA_TRANSACTIONS needs FQ_KAFKA_IDEMPOTENCE")
        return self

    def complete(self) -> None:
        if self.api_keys_file is not None:
            self.api_keys = read_keys_file(self.api_keys_file)

    def unsafe_outside_development(self) -> list[str]:
        problems = []
        if not self.api_keys:
            problems.append("no API keys are configured (FQ_API_KEYS or FQ_API_KEYS_FILE)")
        if any(k.key.get_secret_value() == DEV_KEY for k in self.api_keys):
            problems.append("the development key 'dev' is configured")
        if any(k.key.get_secret_value().startswith("CHANGE-ME") for k in self.api_keys):
            problems.append("an API key is still the template's CHANGE-ME placeholder")
        if self.log_backend == "embedded":
            problems.append("the embedded log is for development (set FQ_LOG_BACKEND=kafka)")
        if self.database_url.startswith("sqlite"):
            problems.append("SQLite is for development (set FQ_DATABASE_URL to PostgreSQL)")
        if self.clock == "simulated":
            problems.append("the simulated clock is for development and tests")
        return problems


DEV_PARTY_KEY_SECRET = "dev-party-key-secret"
PARTY_KEY_SECRET_MIN = 32


class PartySettings(ServiceSettings):
    """How parties are recognised across cases (docs/repeats.md): the key of their keyed
    hashes, and how far back an earlier dispute counts as a prior report."""

    model_config = SettingsConfigDict(env_prefix="FQ_PARTY_", env_file=".env", extra="ignore")

    key_secret: SecretStr = Field(
        default=SecretStr(DEV_PARTY_KEY_SECRET),
        description="HMAC-SHA256 key of the parties' keyed hashes (phone, ID number); the "
        "same value in every process and for the life of the data: changing it makes "
        "earlier cases unrecognisable (python -m services.replay rebuilds them)",
    )
    repeat_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="How far back (months) an earlier case of the same party, or at the same "
        "grid and of the same category, counts as a prior report for the repeat rule",
    )
    repeat_by_place: bool = Field(
        default=True,
        description="Earlier cases at the same grid and of the same category count for the "
        "repeat rule (false: only the same parties' cases count)",
    )

    @property
    def secret(self) -> bytes:
        return self.key_secret.get_secret_value().encode()

    def unsafe_outside_development(self) -> list[str]:
        value = self.key_secret.get_secret_value()
        if value == DEV_PARTY_KEY_SECRET:
            return ["FQ_PARTY_KEY_SECRET is the development secret"]
        if len(value) < PARTY_KEY_SECRET_MIN:
            return [f"FQ_PARTY_KEY_SECRET is shorter than {PARTY_KEY_SECRET_MIN} characters"]
        return []


__all__ = [
    "CLIENT_NAME_MAX",
    "REPORT_ANYWHERE",
    "ROLES",
    "ApiKeySetting",
    "CommonSettings",
    "Environment",
    "PartySettings",
]
