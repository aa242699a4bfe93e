"""Events of folding duplicate reports into one case (合并工单, RULES.md §2b).

On the folded report's own stream: ``ReportFolded`` (folded into an incident's case, by the
rule or a supervisor, with the score and why), ``ReportUnfolded`` (a separate case again),
``DuplicateProposed`` (a doubtful match left for a person) and ``DuplicateDismissed`` (the
person's "not the same incident"). On the incident's stream: ``DuplicateAttached`` and
``DuplicateDetached``, naming the report and its 12345 work order, so each caller is answered
from the incident's own history.
"""

from __future__ import annotations

from pydantic import Field

from shared.events.payload import EventPayload
from shared.events.registry import register_event

RULE_ACTOR = "rule"
"""``by`` of a decision the duplicate rule made on its own."""


@register_event
class ReportFolded(EventPayload):
    event_type = "ReportFolded"

    into_case_id: str
    into_case_number: str
    score: float | None = Field(default=None, ge=0, le=1)
    by: str
    reason: str


@register_event
class ReportUnfolded(EventPayload):
    event_type = "ReportUnfolded"

    from_case_id: str
    by: str
    reason: str


@register_event
class DuplicateProposed(EventPayload):
    event_type = "DuplicateProposed"

    candidate_case_id: str
    candidate_case_number: str
    score: float = Field(ge=0, le=1)


@register_event
class DuplicateDismissed(EventPayload):
    event_type = "DuplicateDismissed"

    candidate_case_id: str
    by: str
    reason: str


@register_event
class DuplicateAttached(EventPayload):
    """A report folded into this case: its caller is answered with this case's progress."""

    event_type = "DuplicateAttached"

    report_case_id: str
    report_case_number: str
    work_order_no: str | None = None
    source: str
    score: float | None = Field(default=None, ge=0, le=1)
    by: str


@register_event
class DuplicateDetached(EventPayload):
    event_type = "DuplicateDetached"

    report_case_id: str
    by: str
    reason: str
