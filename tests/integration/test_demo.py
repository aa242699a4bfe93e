"""``make demo`` in small: simulated weeks through the real services, and what they show."""

from __future__ import annotations

import os
from pathlib import Path

from services.year_demo import NOTIFY_ENV, demo


async def test_simulated_weeks_report_triage_escalate_resolve_and_follow_up(
    tmp_path: Path,
) -> None:
    environment = {name: os.environ.get(name) for name in NOTIFY_ENV}
    summary = await demo(tmp_path / "demo", cases=16, days=24, seed=3, quiet=True)

    assert summary.reported == 16
    assert sum(summary.event_types[t] for t in ("CaseTriaged", "CaseAssigned")) >= 32
    assert summary.acknowledged > 0
    assert len(summary.resolved_level) >= 12  # the last days only close cases
    assert summary.follow_ups > 0
    assert summary.delivered > 0 and summary.delivery_failed == 0
    assert sum(summary.assigned_by_level.values()) >= 16
    assert (tmp_path / "demo" / "log.db").exists()
    # The demo points notify at its own receiver only while it runs: the program around it
    # (this suite) keeps its settings.
    assert {name: os.environ.get(name) for name in NOTIFY_ENV} == environment
