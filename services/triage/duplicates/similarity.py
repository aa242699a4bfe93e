"""How alike two reports are (0.0 … 1.0), and the thresholds for folding and proposing.

A stand-in: the Jaccard overlap of the texts' character bigrams, with the category, the grid
and shared parties weighed in. Pure, no I/O; symmetric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FOLD_THRESHOLD = 0.7
"""At or above: the report is folded into the incident's case by the rule."""
PROPOSE_THRESHOLD = 0.45
"""At or above (and below folding): proposed to a supervisor to decide."""

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ReportSketch:
    text: str
    category: str | None
    unit_code: str
    party_keys: frozenset[str] = field(default_factory=frozenset)


def _bigrams(text: str) -> frozenset[str]:
    plain = _NOISE.sub("", text.lower())
    return frozenset(plain[i : i + 2] for i in range(max(len(plain) - 1, 1)))


def similarity(new: ReportSketch, old: ReportSketch) -> float:
    a, b = _bigrams(new.text), _bigrams(old.text)
    text = len(a & b) / len(a | b) if a | b else 0.0
    same_category = new.category is not None and new.category == old.category
    score = 0.75 * text + (0.15 if same_category else 0.0)
    score += 0.1 if new.unit_code == old.unit_code else 0.0
    if new.party_keys & old.party_keys:
        score = max(score, 0.5 + 0.5 * text)
    return round(min(score, 1.0), 4)
