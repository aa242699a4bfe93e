"""Intake use cases: report a case (idempotently) and read cases back."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

import orjson

from services.intake.cases.queries import CaseQueries
from services.intake.domain import check_known_unit, decide_report
from services.intake.numbers import CaseNumbers
from services.intake.schemas import CaseReportIn
from shared.api.auth import Principal
from shared.cases.catalogue.intake import ReportFacts
from shared.cases.fold import evolve, fold
from shared.cases.row import CaseRow
from shared.events.envelope import EVENT_ID_NAMESPACE, new_event, utc_now
from shared.log.port import NO_STREAM, EventLog, IdempotencyKeyReused
from shared.org.tree import OrgTree
from shared.runtime.log_context import about_case

PRODUCER = "intake"


@dataclass(frozen=True)
class ReportOutcome:
    case: CaseRow
    created: bool
    rejected: bool


def request_fingerprint(report: CaseReportIn) -> str:
    body = orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


def case_id_for(*, client: str, idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"case:{client}:{idempotency_key}"))


async def report_case(
    *,
    log: EventLog,
    numbers: CaseNumbers,
    tree: OrgTree,
    report: CaseReportIn,
    principal: Principal,
    idempotency_key: str | None,
    external_due_at: datetime | None = None,
    fingerprint: str | None = None,
    now: datetime | None = None,
) -> ReportOutcome:
    """Record a report as ``CaseReported`` (or ``CaseRejected`` outside the county).

    The same ``Idempotency-Key`` from the same client always names the same case: a retry
    returns it, and a different body under that key raises ``IdempotencyKeyReused``.
    """
    fingerprint = fingerprint or request_fingerprint(report)
    case_id = case_id_for(client=principal.client, idempotency_key=idempotency_key)
    append_key = f"report:{principal.client}:{idempotency_key}" if idempotency_key else None
    now = now or utc_now()  # the service clock's instant, so a simulated clock stamps it
    # The report's validated values as they are (``__dict__``): a dump would rebuild the
    # parties only for the facts to validate them again.
    facts = ReportFacts(
        **{**report.__dict__, "parties": tuple(report.parties)},
        external_due_at=external_due_at,
        reported_by=principal.client,
        fingerprint=fingerprint,
    )
    if idempotency_key is not None:
        earlier = await log.read_stream(case_id)
        if earlier:
            return _replayed(
                earlier[0].payload.get("fingerprint"),
                fingerprint,
                fold(earlier),
                key=idempotency_key,
            )
    number = ""
    if tree.contains(report.unit_code):
        check_known_unit(report.unit_code, tree=tree)
        number = await numbers.next(at=now)
    decided = decide_report(facts, tree=tree, number=number)
    event = new_event(
        decided, case_id=case_id, producer=PRODUCER, idempotency_key=append_key, occurred_at=now
    )
    result = await log.append(
        case_id,
        [event],
        expected_version=NO_STREAM,
        idempotency_key=append_key,
        fingerprint=fingerprint,
    )
    about_case(case_id, list(result.events))
    row = fold(result.events)
    assert row is not None
    return ReportOutcome(
        case=row, created=not result.replayed, rejected=row["status"] == "rejected"
    )


def _replayed(
    stored: str | None, fingerprint: str, row: CaseRow | None, *, key: str
) -> ReportOutcome:
    if stored != fingerprint:
        raise IdempotencyKeyReused(key)
    assert row is not None
    return ReportOutcome(case=row, created=False, rejected=row["status"] == "rejected")


async def load_case(*, log: EventLog, queries: CaseQueries, case_id: str) -> CaseRow | None:
    """The case as its stream stands now: the projected row, with what the log holds
    beyond it folded in (the projection takes its batches a little after the writes), or
    the fold of the whole stream when the projection has not seen the case yet."""
    row = await queries.get(case_id)
    if row is None:
        return fold(await log.read_stream(case_id))
    for event in await log.read_stream(case_id, after=int(row["version"])):
        row = evolve(row, event)
    return row
