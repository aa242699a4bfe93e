"""Settings shared by every service (pydantic-settings, environment prefix ``FQ_``).

Outside development the settings refuse unsafe defaults: the documented ``dev`` API key,
no API keys at all, the embedded log, SQLite, or the simulated clock.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_KEY = "dev"
ROLES = ("reader", "reporter", "handler", "supervisor", "auditor", "admin", "pii")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ApiKeySetting(BaseModel):
    """One client's key: the region codes (unit code prefixes) it may see and its roles."""

    key: SecretStr
    client: str
    regions: list[str] = Field(min_length=1)
    roles: list[str] = Field(default_factory=lambda: ["reader", "reporter"])


def _default_org_file() -> Path:
    return Path(__file__).parent / "org" / "data" / "sample_county.json"


def _dev_keys() -> list[ApiKeySetting]:
    return [
        ApiKeySetting(key=SecretStr(DEV_KEY), client="development", regions=[""], roles=list(ROLES))
    ]


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FQ_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    environment: Environment = Environment.DEVELOPMENT
    log_backend: Literal["embedded", "kafka"] = "embedded"
    log_url: str = "sqlite+aiosqlite:///data/log.db"
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
    org_file: Path = Field(default_factory=_default_org_file)
    api_keys: list[ApiKeySetting] = Field(default_factory=_dev_keys)
    api_keys_file: Path | None = None
    clock: Literal["system", "simulated"] = Field(
        default="system", validation_alias=AliasChoices("FQ_CLOCK", "CLOCK", "clock")
    )
    clock_start: datetime | None = Field(
        default=None, description="Where a simulated clock starts (default: now)"
    )
    json_logs: bool = False
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> CommonSettings:
        if self.api_keys_file is not None:
            from shared.api.keys_file import read_keys_file

            self.api_keys = read_keys_file(self.api_keys_file)
        if self.environment is Environment.DEVELOPMENT:
            return self
        problems = []
        if not self.api_keys:
            problems.append("no API keys are configured (FQ_API_KEYS or FQ_API_KEYS_FILE)")
        if any(k.key.get_secret_value() == DEV_KEY for k in self.api_keys):
            problems.append("the development key 'dev' is configured")
        if self.log_backend == "embedded":
            problems.append("the embedded log is for development (set FQ_LOG_BACKEND=kafka)")
        if self.database_url.startswith("sqlite"):
            problems.append("SQLite is for development (set FQ_DATABASE_URL to PostgreSQL)")
        if self.clock == "simulated":
            problems.append("the simulated clock is for development and tests")
        if problems:
            raise ValueError(
                f"unsafe settings for environment {self.environment.value}: " + "; ".join(problems)
            )
        return self
