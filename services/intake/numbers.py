"""Human-readable case numbers (案件编号): ``<county code>-<year>-<serial>``.

Serials are reserved from the database in blocks, so numbering costs one write per block
rather than one per case. A restart abandons the rest of its block: numbers are unique
and increasing, not gap-free.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.schema import counters


class CaseNumbers:
    def __init__(self, engine: AsyncEngine, *, county_code: str, block: int = 100) -> None:
        self._engine = engine
        self._county = county_code
        self._block = block
        self._next: dict[int, int] = {}
        self._limit: dict[int, int] = {}
        self._lock = asyncio.Lock()

    async def next(self, *, at: datetime) -> str:
        year = at.year
        async with self._lock:
            if self._next.get(year, 0) >= self._limit.get(year, 0):
                first = await self._reserve(year)
                self._next[year], self._limit[year] = first, first + self._block
            serial = self._next[year]
            self._next[year] = serial + 1
        return f"{self._county}-{year}-{serial:06d}"

    async def _reserve(self, year: int) -> int:
        name = f"case-number:{self._county}:{year}"
        for _ in range(5):
            try:
                async with self._engine.begin() as conn:
                    current = (
                        await conn.execute(select(counters.c.value).where(counters.c.name == name))
                    ).scalar()
                    if current is None:
                        await conn.execute(insert(counters).values(name=name, value=self._block))
                        return 1
                    updated = await conn.execute(
                        update(counters)
                        .where(counters.c.name == name, counters.c.value == current)
                        .values(value=current + self._block)
                    )
                    if updated.rowcount == 1:
                        return int(current) + 1
            except IntegrityError:
                continue  # another instance created the counter first
        raise RuntimeError("could not reserve case numbers: too much contention")
