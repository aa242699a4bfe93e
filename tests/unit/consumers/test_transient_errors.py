"""Which failures of a reaction are retried without bound (the infrastructure was away)
and which count towards giving up (the same event would fail the same way again)."""

from __future__ import annotations

import asyncpg.exceptions
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from shared.consumers.errors import is_transient
from shared.consumers.reactor import LONGEST_WAIT_SECONDS, backoff_seconds


def wrapped(error: Exception) -> DBAPIError:
    """As SQLAlchemy raises a driver's error: its own type, the driver's one as the cause."""
    try:
        try:
            raise error
        except Exception as cause:
            raise DBAPIError("SELECT 1", {}, cause) from cause
    except DBAPIError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError("connect call failed"),
        TimeoutError(),
        OperationalError("SELECT 1", {}, Exception("database is locked")),
        wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        wrapped(asyncpg.exceptions.SerializationError("could not serialize access")),
        DBAPIError("SELECT 1", {}, Exception("server closed"), connection_invalidated=True),
    ],
)
def test_outages_are_transient(error: Exception) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("date value out of range"),
        ValueError("no such rung"),
        KeyError("unit"),
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        wrapped(asyncpg.exceptions.StringDataRightTruncationError("value too long")),
    ],
)
def test_bugs_and_bad_data_are_not(error: Exception) -> None:
    assert not is_transient(error)


def test_the_wait_doubles_up_to_its_cap() -> None:
    assert 0.1 <= backoff_seconds(1) < 0.2
    assert 0.4 <= backoff_seconds(3) < 0.5
    assert LONGEST_WAIT_SECONDS <= backoff_seconds(10_000) < LONGEST_WAIT_SECONDS + 0.1
