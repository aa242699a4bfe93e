"""What happens to each simulated case: decided once when it is reported.

Shares follow the county reports of RULES.md §5: most blue cases end in the grid, most
yellow ones in the village, red ones at the township, a few climb to the county; most
follow-ups are satisfied and an unsatisfied one sends the case back (reopen).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LEVELS = ("grid", "village", "township", "county")
START = {"blue": "grid", "yellow": "village", "red": "township"}
RESOLVED_AT = {
    "blue": {"grid": 0.72, "village": 0.19, "township": 0.07, "county": 0.02},
    "yellow": {"village": 0.66, "township": 0.25, "county": 0.09},
    "red": {"township": 0.72, "county": 0.28},
}
DAYS_ALLOWED = {"grid": 1, "village": 3, "township": 5, "county": 7}
OUTCOMES = {"mediated": 0.86, "litigation": 0.06, "line_department": 0.05, "withdrawn": 0.03}


@dataclass
class CasePlan:
    tier: str
    target_level: str
    acknowledges: bool
    """Signs each dispatch order within its window (otherwise it lapses)."""
    early_request: bool
    """Below the target level: three failed attempts, then asks to escalate early."""
    steps_at_target: int
    """Days at the target level before the case is resolved (within the level's limit)."""
    outcome: str
    judicial_confirmation: bool
    satisfied: bool
    satisfied_after_reopen: bool


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def plan_case(tier: str, rng: random.Random) -> CasePlan:
    target = _pick(rng, RESOLVED_AT[tier])
    outcome = _pick(rng, OUTCOMES)
    return CasePlan(
        tier=tier,
        target_level=target,
        acknowledges=rng.random() < 0.9,
        early_request=target != START[tier] and rng.random() < 0.25,
        steps_at_target=rng.randrange(DAYS_ALLOWED[target]),
        outcome=outcome,
        judicial_confirmation=outcome == "mediated" and rng.random() < 0.2,
        satisfied=rng.random() < 0.9,
        satisfied_after_reopen=rng.random() < 0.8,
    )


def above(level: str, other: str) -> bool:
    return LEVELS.index(level) > LEVELS.index(other)
