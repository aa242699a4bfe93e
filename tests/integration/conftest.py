"""Fixtures of the running system: both adapters on a simulated clock, a sandbox receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from tests.conftest import fresh_pg_database, integration_available
from tests.integration.api_client import embedded_settings, kafka_settings
from tests.integration.notify_support import started_receiver
from tests.integration.processes import OwnBroker, own_broker

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai


@pytest.fixture(params=["embedded", "kafka"])
async def settings_for(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[CommonSettings]:
    """The system on each adapter, with the simulated clock standing at ``START``."""
    if request.param == "kafka":
        if not integration_available():
            pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
        async with fresh_pg_database() as url:
            yield kafka_settings(url, clock="simulated", clock_start=START)
    else:
        yield embedded_settings(tmp_path, clock="simulated", clock_start=START)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with started_receiver() as started:
        yield started


@pytest.fixture
def broker() -> Iterator[OwnBroker]:
    """A broker of the test's own, so pausing it (SIGSTOP) disturbs nobody else."""
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    with own_broker() as started:
        try:
            yield started
        finally:
            started.resume()
