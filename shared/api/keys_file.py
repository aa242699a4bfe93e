"""API keys: the roles a key may hold, one key's setting, and reading keys from a JSON
file (a mounted secret in production)."""

from __future__ import annotations

from pathlib import Path

import orjson
from pydantic import BaseModel, Field, SecretStr, field_validator

REPORT_ANYWHERE = "report-anywhere"
"""The role of a key that may report into any unit of the county (a 12345 platform)."""
ROLES = (
    "reader",
    "reporter",
    "handler",
    "supervisor",
    "auditor",
    "admin",
    "pii",
    "metrics",
    REPORT_ANYWHERE,
)
CLIENT_NAME_MAX = 64
"""A client's name bounds the idempotency key of its reports (see shared/config.py)."""


class ApiKeySetting(BaseModel):
    """One client's key: the region codes (unit code prefixes) it may see and its roles."""

    key: SecretStr
    client: str = Field(min_length=1, max_length=CLIENT_NAME_MAX)
    regions: list[str] = Field(min_length=1)
    roles: list[str] = Field(default_factory=lambda: ["reader", "reporter"])

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        """A misspelt role would silently grant nothing: refuse it at start-up."""
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise ValueError(f"unknown roles {unknown}; the roles are {', '.join(ROLES)}")
        return roles


def read_keys_file(path: Path) -> list[ApiKeySetting]:
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValueError(f"cannot read API keys file {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise ValueError(f"API keys file {path} must hold a JSON list of keys")
    return [ApiKeySetting.model_validate(item) for item in raw]
