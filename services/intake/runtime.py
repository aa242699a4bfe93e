"""What the intake service makes at start: its case numbering and the case list's progress."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.numbers import CaseNumbers
from shared.consumers.progress import Progress


@dataclass(frozen=True)
class IntakeRuntime:
    numbers: CaseNumbers
    cases: Progress
    """Commits of the case list projection (``projection.cases``)."""
