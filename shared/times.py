"""Instants are stored in UTC: SQLite keeps no zone, so every value is normalised first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def as_utc(value: datetime) -> datetime:
    """Aware values are converted to UTC; naive ones (read back from SQLite) are UTC."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def parse_utc(value: str) -> datetime:
    """An ISO 8601 instant from an event payload, in UTC."""
    return as_utc(datetime.fromisoformat(value))


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
"""A served instant: read back from SQLite without a zone, it still goes out with its offset."""
