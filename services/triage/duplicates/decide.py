"""The fold decision for a new report, pure: fold, propose or a case of its own.

The best-scoring open candidate decides: at or above the fold threshold the report is folded
into it by the rule, at or above the propose threshold it is proposed to a supervisor, below
both it is a new incident. Ties go to the earliest report (then the smaller case id), so the
same candidates always give the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from services.triage.duplicates.similarity import ReportSketch, similarity
from shared.org.levels import Level
from shared.org.tree import OrgTree

Kind = Literal["new", "fold", "propose"]


@dataclass(frozen=True, slots=True)
class Candidate:
    case_id: str
    case_number: str
    reported_at: datetime
    sketch: ReportSketch


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    case_id: str | None = None
    """The candidate folded into or proposed (None for a new incident)."""
    case_number: str | None = None
    score: float | None = None
    decided_at: datetime | None = None
    """When it was decided: the time of the events that record it (a rebuild of the index
    takes it from them)."""


@dataclass(frozen=True, slots=True)
class Scored:
    candidate: Candidate
    score: float


def ranked(new: ReportSketch, candidates: Sequence[Candidate]) -> list[Scored]:
    """The candidates best first: by score, then the earliest report, then the case id."""
    scored = [Scored(c, similarity(new, c.sketch)) for c in candidates]
    return sorted(scored, key=lambda s: (-s.score, s.candidate.reported_at, s.candidate.case_id))


def decide(
    new: ReportSketch, candidates: Sequence[Candidate], *, fold_at: float, propose_at: float
) -> Decision:
    best = next(iter(ranked(new, candidates)), None)
    if best is None or best.score < propose_at:
        return Decision(kind="new", score=best.score if best else None)
    kind: Kind = "fold" if best.score >= fold_at else "propose"
    return Decision(
        kind=kind,
        case_id=best.candidate.case_id,
        case_number=best.candidate.case_number,
        score=best.score,
    )


def neighbourhood(tree: OrgTree, unit_code: str) -> str:
    """Where candidates are looked for: a grid's village (the grid and its siblings), or the
    unit itself when the report names no grid."""
    unit = tree.resolve(unit_code)
    if unit is None:
        return unit_code
    if unit.level is Level.GRID and unit.parent_code is not None:
        return unit.parent_code
    return unit.code
