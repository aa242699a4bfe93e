"""What tells two accounts apart, learned from the labelled pairs (合并工单).

Two accounts of one incident differ in how they are told (来电 / 核查, 嗡嗡 / 噪音); two
incidents at one place differ in what happened (鸽子 beside 漏雨, 驿站 beside 扔). Each pair
of adjacent characters (a bigram, ``reading.Reading.bigrams``) carries the log-odds, fitted
on the tuning part by bench/fit_differences.py, that a pair of reports holding it in one
account only tells one incident rather than two; a bigram seen fewer than ``MIN_COUNT``
times there weighs nothing. ``differences`` is their mean over the bigrams only one account
holds, shrunk towards 0 when few differ: below 0, the accounts differ the way two incidents
do. Pure; the table is data (``bigram_odds.json``), read once, nothing fetched.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

ODDS_FILE = Path(__file__).parent / "bigram_odds.json"
SHRINK = 4.0
"""Added to the count of differing bigrams: a few differences weigh less than many."""
MIN_COUNT = 3
"""A bigram seen unshared fewer times than this on the tuning part is not in the table."""


def load(path: Path = ODDS_FILE) -> dict[str, float]:
    table: dict[str, float] = json.loads(path.read_text(encoding="utf-8"))
    return table


ODDS = load()


def differences(one: frozenset[str], other: frozenset[str], odds: dict[str, float] = ODDS) -> float:
    """The mean log-odds of the bigrams only one account holds, shrunk by ``SHRINK``."""
    unshared = one ^ other
    return math.fsum(odds.get(bigram, 0.0) for bigram in unshared) / (len(unshared) + SHRINK)


def weight(bigrams: frozenset[str], odds: dict[str, float] = ODDS) -> float:
    """The summed log-odds of a text's bigrams, kept with its reading."""
    return math.fsum(odds.get(bigram, 0.0) for bigram in bigrams)


def differences_read(
    one: frozenset[str], one_weight: float, other: frozenset[str], other_weight: float
) -> float:
    """``differences`` from each text's summed ``weight``, kept with its reading: only the
    bigrams both hold are looked up (a report meets many candidates)."""
    shared = one & other
    total = math.fsum((one_weight, other_weight, -2 * weight(shared)))
    return total / (len(one) + len(other) - 2 * len(shared) + SHRINK)
