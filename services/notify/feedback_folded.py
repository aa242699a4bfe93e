"""Each caller of a folded report answered (合并工单, RULES.md §2b).

Every report folded into a case (its ``DuplicateAttached``, less ``DuplicateDetached``) that
came from a 12345 work order is told what the case's own work order is told, each under its
own work-order number. A report folded in after the case moved on is told where the case
stands when it is attached: the case's latest status the hotline has heard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.notify.feedback import FEEDBACK, HOTLINE_CHANNEL, HOTLINE_SOURCE, issued
from services.notify.plan import Situation
from shared.cases.folded import folded_reports
from shared.events.envelope import EventEnvelope
from shared.events.payload import EventPayload

ATTACHED = "DuplicateAttached"


def _answered(report: dict[str, Any]) -> bool:
    return report.get("source") == HOTLINE_SOURCE and bool(report.get("work_order_no"))


def _notice(s: Situation, fields: dict[str, Any], report: dict[str, Any]) -> EventPayload:
    return issued(
        s,
        fields,
        work_order_no=report["work_order_no"],
        notice_id=f"{s.event.event_id}.h.{report['report_case_id']}",
    )


def _latest_status(s: Situation, history: Sequence[EventEnvelope]) -> dict[str, Any] | None:
    """What the hotline was last told about the case, as of the attachment."""
    earlier = [e for e in history if e.sequence < s.event.sequence]
    for index in range(len(earlier) - 1, -1, -1):
        event = earlier[index]
        make = FEEDBACK.get(event.event_type)
        if make is None:
            continue
        before = {e.event_type for e in earlier[:index]}
        fields = make(Situation(event, s.case, s.tree, s.channels), before)
        if fields is not None:
            return fields
    return None


def plan_folded_feedback(
    s: Situation, *, earlier_types: set[str], history: Sequence[EventEnvelope]
) -> list[EventPayload]:
    """Feedback for the work orders folded into the case (``history`` up to the event)."""
    if HOTLINE_CHANNEL not in s.channels:
        return []
    if s.event.event_type == ATTACHED:
        report = s.event.payload
        fields = _latest_status(s, history)
        return [_notice(s, fields, report)] if fields and _answered(report) else []
    make = FEEDBACK.get(s.event.event_type)
    fields = make(s, earlier_types) if make is not None else None
    if fields is None:
        return []
    before = [e for e in history if e.sequence < s.event.sequence]
    return [_notice(s, fields, r) for r in folded_reports(before) if _answered(r)]
