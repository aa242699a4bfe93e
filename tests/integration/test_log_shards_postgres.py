"""The embedded log's store on PostgreSQL picks a shard's records in its query."""

from __future__ import annotations

import pytest

from shared.log.embedded import EmbeddedLog
from tests.conftest import fresh_pg_database, integration_available
from tests.contract.shards import replay_in_shards_covers_each_case_once


async def test_a_replay_in_shards_on_postgresql_yields_each_case_in_one_shard() -> None:
    if not integration_available():
        pytest.skip("needs PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        log = EmbeddedLog(url, replay_batch_size=7)  # several reads per shard
        await log.start()
        try:
            await replay_in_shards_covers_each_case_once(log)
        finally:
            await log.close()
