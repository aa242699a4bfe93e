"""Consumer lag and positions, read from the log and the position store at scrape time.

Lag per group is the log's end minus the group's stored next offset, summed over
partitions; it works the same for the embedded log (one partition) and Kafka.
"""

from __future__ import annotations

from prometheus_client import Gauge
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.schema import consumer_positions
from shared.log.port import EventLog

CONSUMER_POSITION = Gauge(
    "fq_consumer_position", "Next offset a group will read", ["group", "partition"]
)
CONSUMER_LAG = Gauge(
    "fq_consumer_lag", "Records in the log a group has not handled yet (end - position)", ["group"]
)
LOG_END = Gauge("fq_log_end_offset", "Offset the next record of a partition gets", ["partition"])

RUNNING_GROUPS: set[str] = set()
"""Groups this process consumes as (registered by the runners when they start)."""


async def refresh_consumer_gauges(log: EventLog, engine: AsyncEngine) -> None:
    ends = await log.end_offsets()
    async with engine.connect() as conn:
        rows = (await conn.execute(select(consumer_positions))).all()
    stored: dict[str, dict[int, int]] = {}
    for group, partition, offset in rows:
        stored.setdefault(str(group), {})[int(partition)] = int(offset)
    for partition, end in ends.items():
        LOG_END.labels(str(partition)).set(end)
    for group in RUNNING_GROUPS | set(stored):
        positions = stored.get(group, {})
        lag = sum(max(end - positions.get(p, log.first_offset), 0) for p, end in ends.items())
        CONSUMER_LAG.labels(group).set(lag)
        for partition, offset in positions.items():
            CONSUMER_POSITION.labels(group, str(partition)).set(offset)
