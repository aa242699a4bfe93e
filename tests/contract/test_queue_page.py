"""A unit's queue counted, filtered, ordered and paged by the database gives exactly the
items, buckets and order the pure ``classify`` gives over the whole queue, on SQLite and
(with FQ_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from services.measures.queues.queries import QueueFilter, classify, unit_queue_page
from shared.db.bulk import insert_rows
from shared.db.schema import case_facts, unit_queue
from tests.conftest import PG_URL, _migrated_engine

NOW = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
WITHIN = timedelta(hours=24)
UNIT = "330681999001001"
CATEGORIES = ("neighbour", "labour", None)


def queue_row(i: int, pick: random.Random) -> dict[str, Any]:
    deadline = pick.choice(
        [None, NOW - timedelta(hours=3), NOW + timedelta(hours=5), NOW + timedelta(days=9)]
    )
    status = pick.choice(["assigned", "in_mediation", "resolved", "closed"])
    return {
        "case_id": f"queue-page-{i:03d}",
        "version": 3,
        "number": f"N{i}",
        "unit_code": UNIT,
        "status": status,
        "tier": pick.choice(["red", "blue"]),
        "level": pick.choice(["grid", "village"]),
        "holder_unit_code": UNIT if i % 7 else "330681999001002",
        "order_id": None,
        "acknowledged": status != "assigned",
        "ack_due_at": None,
        "paused": pick.random() < 0.2,
        "deadline_at": deadline,
        "follow_up_due_at": NOW + timedelta(hours=pick.choice([-2, 2, 200])),
        "follow_up_overdue": pick.random() < 0.3,
        "updated_at": NOW,
    }


def facts_row(row: dict[str, Any], category: str | None) -> dict[str, Any]:
    counts = ("resolutions", "reopens", "attempts", "escalations", "supervisions")
    return {
        "case_id": row["case_id"],
        "version": 3,
        "unit_code": UNIT,
        "category": category,
        "tier": row["tier"],
        "status": row["status"],
        "level": row["level"],
        "holder_unit_code": row["holder_unit_code"],
        "reported_at": NOW,
        "resolved_at": None,
        "resolve_seconds": None,
        "outcome": None,
        "judicial_confirmation": False,
        "closed_at": None,
        **dict.fromkeys(counts, 0),
        "follow_ups": 0,
        "satisfied_follow_ups": 0,
        "follow_ups_overdue": 0,
    }


@dataclass
class Seeded:
    engine: AsyncEngine
    rows: list[dict[str, Any]]
    category: dict[str, str | None]


@pytest.fixture(params=["sqlite", "postgresql"])
async def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Seeded]:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("needs FQ_TEST_DATABASE_URL")
    url = PG_URL if request.param == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/app.db"
    made = await _migrated_engine(str(url))
    pick = random.Random(25)
    rows = [queue_row(i, pick) for i in range(120)]
    categories = {r["case_id"]: pick.choice(CATEGORIES) for r in rows}
    facts = [facts_row(r, categories[r["case_id"]]) for r in rows if r["case_id"][-1] != "5"]
    async with made.begin() as conn:
        for table in (unit_queue, case_facts):
            await conn.execute(delete(table).where(table.c.case_id.like("queue-page-%")))
        await insert_rows(conn, unit_queue, rows)
        await insert_rows(conn, case_facts, facts)
    yield Seeded(made, rows, {f["case_id"]: f["category"] for f in facts})
    await made.dispose()


def expected(seeded: Seeded, wanted: QueueFilter) -> list[tuple[str, str, str]]:
    category = seeded.category
    held = [r for r in seeded.rows if r["holder_unit_code"] == UNIT and r["status"] != "closed"]
    items = [classify(r, now=NOW, within=WITHIN) for r in held]
    far = datetime.max.replace(tzinfo=UTC)
    items.sort(key=lambda i: (i.due_at or far, i.row["case_id"]))
    return [
        (i.row["case_id"], i.bucket, i.step)
        for i in items
        if wanted.bucket in (None, "open", i.bucket)
        and wanted.tier in (None, i.row["tier"])
        and wanted.level in (None, i.row["level"])
        and wanted.category in (None, category.get(i.row["case_id"]))
    ]


@pytest.mark.parametrize(
    "wanted",
    [
        QueueFilter(),
        QueueFilter(bucket="overdue"),
        QueueFilter(bucket="due_soon", tier="red"),
        QueueFilter(level="village", category="labour"),
        QueueFilter(category="neighbour", bucket="open"),
    ],
)
async def test_the_pages_give_the_whole_queue_as_classify_orders_it(
    seeded: Seeded, wanted: QueueFilter
) -> None:
    whole = expected(seeded, wanted)
    seen: list[tuple[str, str, str]] = []
    for offset in range(0, 120, 7):
        page = await unit_queue_page(
            seeded.engine, UNIT, wanted, now=NOW, within=WITHIN, limit=7, offset=offset
        )
        assert page.total == len(whole)
        seen += [(i.row["case_id"], i.bucket, i.step) for i in page.items]
    assert seen == whole and whole
    everything = expected(seeded, QueueFilter())
    assert page.counts == {
        "open": len(everything),
        "overdue": sum(1 for _, b, _ in everything if b == "overdue"),
        "due_soon": sum(1 for _, b, _ in everything if b == "due_soon"),
    }
