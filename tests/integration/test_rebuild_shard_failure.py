"""A worker of a pass split by case that fails makes the rebuild fail, naming its shard,
and nothing is swapped in (the fresh tables stay until the next rebuild drops them)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect

from services.replay import projections
from shared.consumers.rebuild import ShardedPass, rebuild_all
from shared.consumers.rebuild_shards import Opened
from shared.db.engine import make_engine
from shared.log.embedded import EmbeddedLog
from tests.conftest import fresh_pg_database, integration_available


class BrokenSource:
    """Opens nothing: the worker fails before its pass."""

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Opened]:
        raise ConnectionError("the database is not there")
        yield  # pragma: no cover


async def test_a_failed_worker_fails_the_rebuild() -> None:
    if not integration_available():
        pytest.skip("needs PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        log = EmbeddedLog(url)
        await log.start()
        engine = make_engine(url, durable=False)
        try:
            with pytest.raises(RuntimeError, match="rebuild shard 1 of 2 failed") as failed:
                await rebuild_all(
                    log=log,
                    engine=engine,
                    projections=projections(log),
                    sharded=ShardedPass(2, BrokenSource()),
                )
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        finally:
            await log.close()
            await engine.dispose()
    assert "the database is not there" in str(failed.value)
    assert "cases__rebuild" in tables and "cases" not in tables
