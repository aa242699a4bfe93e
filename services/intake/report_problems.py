"""The problem+json answers shared by every way a case can be reported (REST, 12345)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Response

from services.intake.domain import UnknownUnit
from services.intake.service import ReportOutcome
from shared.api.problems import Problem
from shared.cases.row import CaseRow
from shared.log.port import IdempotencyKeyReused, LogUnavailable


@contextmanager
def report_problems(*, unit_field: str, reused: str, retry: str) -> Iterator[None]:
    """Turn intake's refusals into problems; ``reused`` and ``retry`` say what to do."""
    try:
        yield
    except UnknownUnit as exc:
        raise Problem(
            status=422,
            slug="unknown-unit",
            title="Unknown unit",
            detail=str(exc),
            errors=[{"field": unit_field, "message": str(exc)}],
        ) from exc
    except IdempotencyKeyReused as exc:
        raise Problem(
            status=409, slug="idempotency-key-reused", title="Already used", detail=reused
        ) from exc
    except LogUnavailable as exc:
        raise Problem(
            status=503,
            slug="log-unavailable",
            title="Try again",
            detail=f"the event log did not confirm in time; {retry}",
            headers={"Retry-After": "2"},
        ) from exc


def accepted_case(outcome: ReportOutcome, response: Response) -> CaseRow:
    """The case, or the 422 of a rejection (退单); sets Location and the replay header."""
    case = outcome.case
    if outcome.rejected:
        raise Problem(
            status=422,
            slug="outside-jurisdiction",
            title="Rejected (退单)",
            detail=case["rejection_reason"] or "rejected",
            case_id=case["id"],
        )
    response.headers["Location"] = f"/v1/cases/{case['id']}"
    if not outcome.created:
        response.headers["Idempotent-Replayed"] = "true"
    return case
