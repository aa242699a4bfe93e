"""The case list's row, named: its columns and the keys of its ``details`` (RULES.md §4).

A ``TypedDict`` is a plain dict at run time (the folds stay as fast as they were tuned to
be) while every column and detail is named in one place for readers and for mypy.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict


class CaseStatus(StrEnum):
    REPORTED = "reported"
    REJECTED = "rejected"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_MEDIATION = "in_mediation"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseDetails(TypedDict, total=False):
    """What the row keeps beside its columns (the ``details`` JSON column)."""

    description: str
    reported_unit_code: str
    parties: list[dict[str, Any]]
    parties_count: int | None
    amount_cny: Any
    prior_reports: int | None
    order_id: str
    acknowledged: bool
    paused: bool
    paused_seconds: float
    overdue_levels: list[str]
    supervision_count: int
    ladder_version: str
    ruleset_version: str | None
    resolution: dict[str, Any] | None
    follow_up_due_at: str | None
    follow_up_overdue: bool
    follow_ups: list[dict[str, Any]]
    reopened: int
    warned: bool
    chase_notices: int
    extension_pending: dict[str, Any] | None
    extensions_approved: int
    bounce_back: dict[str, Any] | None
    folded_into: str | None


class CaseRow(TypedDict):
    """One case as the case list holds it (table ``cases``)."""

    id: str
    number: str
    version: int
    status: str
    title: str
    tier: str | None
    category: str | None
    level: str | None
    unit_code: str
    holder_unit_code: str | None
    source: str
    external_ref: str | None
    reported_at: datetime
    updated_at: datetime
    deadline_at: datetime | None
    rejection_reason: str | None
    details: CaseDetails
