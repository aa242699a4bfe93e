"""The candidate index: a read model of the triage service, one row per report.

Each row holds what scoring needs (the text with phone and ID numbers masked, category,
grid, keyed hashes of the parties), whether the case is an open incident (a candidate), and
the fold decision taken for the report. The decision is written once, in the transaction
that looked the candidates up, under a lock on the neighbourhood (an advisory lock in
PostgreSQL, so two instances triaging two reports of one incident at once take turns; an
in-process lock besides): the second report sees the first and folds into it. A redelivered
report finds its decision already written and gets the same answer.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.triage.config import DuplicatesSettings
from services.triage.duplicates.decide import (
    Candidate,
    Decision,
    Kind,
    Scored,
    decide,
    ranked,
)
from services.triage.duplicates.similarity import ReportSketch
from shared.db.hot_statements import hot_rows
from shared.db.schema import duplicate_index as table
from shared.db.transaction import begin
from shared.events.envelope import event_now
from shared.times import as_utc

LOCK_STRIPES = 64

# Built once, bound at execution: asked for every report, building a statement (its
# clauses, its cache key, an insert's values) cost more than running it.
KNOWN = select(table).where(table.c.case_id == bindparam("case_id"))
CANDIDATES = (
    select(table)
    .where(
        table.c.neighbourhood == bindparam("neighbourhood"),
        table.c.open,
        table.c.reported_at >= bindparam("since"),
        table.c.reported_at <= bindparam("until"),
        table.c.case_id != bindparam("case_id"),
    )
    .order_by(table.c.reported_at.desc())
    .limit(bindparam("most"))
)
INSERT = table.insert()


@dataclass(frozen=True, slots=True)
class Entry:
    """A report as the index keeps it (its text already masked)."""

    case_id: str
    case_number: str
    neighbourhood: str
    reported_at: datetime
    sketch: ReportSketch


def lock_key(neighbourhood: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory lock."""
    digest = hashlib.blake2b(neighbourhood.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _candidate(row: Mapping[Any, Any]) -> Candidate:
    sketch = ReportSketch(
        text=row["text"],
        category=row["category"],
        unit_code=row["unit_code"],
        party_keys=frozenset(row["party_keys"] or ()),
    )
    return Candidate(
        case_id=row["case_id"],
        case_number=row["case_number"],
        reported_at=as_utc(row["reported_at"]),
        sketch=sketch,
    )


def _decision(row: Mapping[Any, Any]) -> Decision:
    kind: Kind = "fold" if row["decision"] == "fold" else "new"
    if row["decision"] in ("propose", "dismissed"):  # a redelivery proposes as it did first
        kind = "propose"
    return Decision(
        kind=kind,
        case_id=row["decided_case_id"],
        case_number=row["decided_case_number"],
        score=row["score"],
        decided_at=as_utc(row["decided_at"]) if row["decided_at"] is not None else None,
    )


class DuplicateIndex:
    def __init__(self, engine: AsyncEngine, settings: DuplicatesSettings) -> None:
        self._engine = engine
        self._settings = settings
        self._locks = [asyncio.Lock() for _ in range(LOCK_STRIPES)]

    async def decide(self, entry: Entry) -> Decision:
        """The report's fold decision: the one already written, or a new one written now."""
        stripe = self._locks[lock_key(entry.neighbourhood) % LOCK_STRIPES]
        async with stripe, begin(self._engine) as conn:
            if conn.dialect.name == "postgresql":
                key = lock_key(entry.neighbourhood)
                await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            known = await hot_rows(conn, KNOWN, {"case_id": entry.case_id})
            if known:
                return _decision(known[0])
            found = await self.candidates(conn, entry)
            decision = decide(
                entry.sketch,
                found,
                fold_at=self._settings.fold_threshold,
                propose_at=self._settings.propose_threshold,
            )
            decision = replace(decision, decided_at=event_now())
            await conn.execute(INSERT, index_row(entry, decision))
            return decision

    async def candidates(self, conn: AsyncConnection, entry: Entry) -> list[Candidate]:
        """The open cases of the report's neighbourhood within the window, newest first."""
        window = timedelta(hours=self._settings.window_hours)
        bound = {
            "neighbourhood": entry.neighbourhood,
            "since": entry.reported_at - window,
            "until": entry.reported_at + window,
            "case_id": entry.case_id,
            "most": self._settings.max_candidates,
        }
        return [_candidate(row) for row in await hot_rows(conn, CANDIDATES, bound)]

    async def scored(self, case_id: str) -> list[Scored] | None:
        """The report's candidates now, best first (None: the report is not indexed)."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(KNOWN, {"case_id": case_id})).mappings().first()
            if row is None:
                return None
            own = _candidate(row)
            entry = Entry(
                case_id=own.case_id,
                case_number=own.case_number,
                neighbourhood=row["neighbourhood"],
                reported_at=own.reported_at,
                sketch=own.sketch,
            )
            return ranked(entry.sketch, await self.candidates(conn, entry))

    async def mark(self, case_id: str, **values: Any) -> None:
        """Set the row's state (open, decision, decided case): a repeated event sets it again."""
        async with self._engine.begin() as conn:
            await conn.execute(update(table).where(table.c.case_id == case_id).values(**values))

    async def dismissed(self, case_id: str, candidate_case_id: str) -> None:
        """A supervisor said the proposed candidate is another incident: no longer pending."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(table)
                .where(
                    table.c.case_id == case_id,
                    table.c.decision == "propose",
                    table.c.decided_case_id == candidate_case_id,
                )
                .values(decision="dismissed")
            )

    async def reopen(self, case_id: str) -> None:
        """A reopened case is a candidate again, unless it is a folded report."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(table)
                .where(table.c.case_id == case_id, table.c.decision != "fold")
                .values(open=True)
            )


def index_row(entry: Entry, decision: Decision) -> dict[str, Any]:
    """The report's row as decided (the score only of the candidate folded into or
    proposed: what the report's events record)."""
    decided = decision.case_id is not None
    return {
        "case_id": entry.case_id,
        "case_number": entry.case_number,
        "neighbourhood": entry.neighbourhood,
        "unit_code": entry.sketch.unit_code,
        "category": entry.sketch.category,
        "text": entry.sketch.text,
        "party_keys": sorted(entry.sketch.party_keys),
        "reported_at": entry.reported_at,
        "open": decision.kind != "fold",
        "decision": decision.kind,
        "decided_case_id": decision.case_id,
        "decided_case_number": decision.case_number,
        "score": decision.score if decided else None,
        "decided_at": decision.decided_at,
    }
