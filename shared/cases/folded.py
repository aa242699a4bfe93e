"""What a case's stream says about folding (合并工单), pure: read by triage and notify.

A report is folded while its last ``ReportFolded`` has no ``ReportUnfolded`` after it; an
incident's folded reports are its ``DuplicateAttached`` less its ``DuplicateDetached``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.events.envelope import EventEnvelope


def folded_into(stream: Sequence[EventEnvelope]) -> dict[str, Any] | None:
    current: dict[str, Any] | None = None
    for event in stream:
        if event.event_type == "ReportFolded":
            current = event.payload
        elif event.event_type == "ReportUnfolded":
            current = None
    return current


def folded_reports(stream: Sequence[EventEnvelope]) -> list[dict[str, Any]]:
    """The reports folded into this case now, in the order they were folded."""
    reports: dict[str, dict[str, Any]] = {}
    for event in stream:
        if event.event_type == "DuplicateAttached":
            reports[event.payload["report_case_id"]] = event.payload
        elif event.event_type == "DuplicateDetached":
            reports.pop(event.payload["report_case_id"], None)
    return list(reports.values())
