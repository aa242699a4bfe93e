"""How alike two reports are, 0.0 … 1.0: the chance that they tell one incident (合并工单).

Pure, no I/O, symmetric. The evidence, weighed in ``WEIGHTS`` (docs/duplicates.md, "How
similar is similar", gives the figures on the labelled set):

* the things both accounts name (synonym sets of ``thesaurus``; common ones such as 老人 or
  工资 count for less), a weighted Dice coefficient shrunk when little is named;
* their character pairs: the Dice coefficient of their distinct character bigrams, computed
  by rapidfuzz (Indel similarity of the sorted pairs);
* particulars both give and agree on (3幢 and 三幢, 周家) — or disagree on (3幢 / 7幢, 501 /
  302, 三个月 / 两个月, 今天 / 前天): a clash keeps the pair from folding on its own;
* a party in common (keyed hashes of phone or ID numbers, never the numbers);
* the same category, and the same grid or a neighbouring one (same village).

The weighted sum goes through the logistic function. ``FOLD_THRESHOLD`` folds a report into
an open case without asking; ``PROPOSE_THRESHOLD`` proposes it to a person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from services.triage.duplicates.details import agreements, conflicts
from services.triage.duplicates.reading import Reading, read
from services.triage.duplicates.thesaurus import COMMON

FOLD_THRESHOLD = 0.9
"""At or above: fold the new report into the open case automatically."""
PROPOSE_THRESHOLD = 0.5
"""At or above (and below ``FOLD_THRESHOLD``): propose the fold to a person."""

COMMON_WEIGHT = 0.35
"""What a commonly named thing (``thesaurus.COMMON``) counts for beside a specific one."""
THIN_EVIDENCE = 0.3
"""Added to the weight of all things named: shrinks the Dice of accounts that name little."""


@dataclass(frozen=True, slots=True)
class ReportSketch:
    """What the score looks at in a report."""

    text: str
    """Title + "\\n" + description, as reported."""
    category: str | None
    unit_code: str
    """The grid the case belongs to (grid_unit_code or unit_code)."""
    party_keys: frozenset[str] = frozenset()
    """Opaque keyed hashes of the parties' phone and ID numbers."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """The pieces of evidence for one pair, each symmetric in the two reports."""

    things: float
    text: float
    agreements: int
    conflicts: int
    party: bool
    category: int
    """1 same category, -1 different, 0 when either is unknown."""
    place: float
    """1 same grid, 0.5 a neighbouring grid of the same village, 0 otherwise."""


WEIGHTS = {
    "bias": -1.45,
    "things": 5.9,
    "text": 0.7,
    "agreements": 0.5,
    "conflicts": -3.6,
    "party": 0.45,
    "category": 0.0,
    "place": 0.05,
}
"""Fitted on the tuning part of bench/data/duplicate_pairs.jsonl (the held-out part was not
looked at): the most recall at 96 % precision that stays put when each weight moves ±15 %.
The category counts for nothing there: callers and the triage rules file one incident under
different categories as often as two incidents under one."""


def _weight(thing: str) -> float:
    return COMMON_WEIGHT if thing in COMMON else 1.0


def _things(one: Reading, other: Reading) -> float:
    """Weighted Dice of the things named, shrunk towards 0 when little is named: one common
    thing in common (老板) is weak evidence, four specific ones are strong."""
    total = sum(map(_weight, one.things)) + sum(map(_weight, other.things))
    shared = set(one.things) & set(other.things)
    return 2 * sum(map(_weight, shared)) / (total + THIN_EVIDENCE)


def _place(one: str, other: str) -> float:
    if one == other:
        return 1.0
    if len(one) >= 12 and one[:12] == other[:12]:
        return 0.5
    return 0.0


def _category(one: str | None, other: str | None) -> int:
    if one is None or other is None:
        return 0
    return 1 if one == other else -1


def evidence(new: ReportSketch, old: ReportSketch) -> Evidence:
    """The evidence the score weighs, for explanations and the bench."""
    one, other = read(new.text), read(old.text)
    return Evidence(
        things=_things(one, other),
        text=Indel.normalized_similarity(one.bigrams, other.bigrams),
        agreements=min(agreements(one.details, other.details), 2),
        conflicts=min(conflicts(one.details, other.details), 2),
        party=bool(new.party_keys & old.party_keys),
        category=_category(new.category, old.category),
        place=_place(new.unit_code, old.unit_code),
    )


def weigh(found: Evidence) -> float:
    """The weighted evidence through the logistic function: 0.0 … 1.0."""
    total = WEIGHTS["bias"] + sum(
        WEIGHTS[name] * float(getattr(found, name)) for name in WEIGHTS if name != "bias"
    )
    return 1.0 / (1.0 + math.exp(-total))


def similarity(new: ReportSketch, old: ReportSketch) -> float:
    """How likely ``new`` and ``old`` tell one incident: 0.0 … 1.0, symmetric."""
    return weigh(evidence(new, old))
