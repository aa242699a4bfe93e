"""Fit the table of ``services.triage.duplicates.differences`` on the tuning part.

    .venv/bin/python -m bench.fit_differences   (run by bench.fit_duplicates --write)

For every bigram seen in one account only of a ``tune`` pair at least ``MIN_COUNT`` times:
the log-odds that such a pair is ``same``, smoothed by ``PRIOR`` pairs at the part's base
rate and taken relative to it. The weights of the score are fitted on values computed out of
fold (``out_of_fold``: five folds grouped by village, each scored with the table of the other
four), so the fit does not trust a table on the pairs it was drawn from. Deterministic: the
folds follow the sorted village codes, the sums are exact (``math.fsum``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from bench.duplicates import load_pairs, sketch
from services.triage.duplicates.differences import MIN_COUNT, ODDS_FILE, differences
from services.triage.duplicates.reading import read

PRIOR = 2.0
FOLDS = 5


def _bigrams(pair: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    return read(sketch(pair["a"]).text).bigrams, read(sketch(pair["b"]).text).bigrams


def table(pairs: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Bigram → smoothed log-odds of ``same`` when one account only holds it."""
    counts: dict[str, list[int]] = {}
    for pair in pairs:
        one, other = _bigrams(pair)
        same = int(pair["label"] == "same")
        for bigram in one ^ other:
            counts.setdefault(bigram, [0, 0])[same] += 1
    same_total = sum(pair["label"] == "same" for pair in pairs)
    rate = same_total / len(pairs)
    base = math.log(rate / (1 - rate))
    return {
        bigram: round(math.log((same + PRIOR * rate) / (different + PRIOR * (1 - rate))) - base, 4)
        for bigram, (different, same) in sorted(counts.items())
        if different + same >= MIN_COUNT
    }


def _fold(pair: dict[str, Any], villages: list[str]) -> int:
    return villages.index(pair["a"]["unit_code"][:12]) % FOLDS


def out_of_fold(pairs: Sequence[dict[str, Any]]) -> list[float]:
    """Each pair's ``differences`` with the table of the folds it is not in."""
    villages = sorted({pair["a"]["unit_code"][:12] for pair in pairs})
    folds = [_fold(pair, villages) for pair in pairs]
    values = [0.0] * len(pairs)
    for fold in range(FOLDS):
        odds = table([pair for pair, f in zip(pairs, folds, strict=True) if f != fold])
        for i, pair in enumerate(pairs):
            if folds[i] == fold:
                values[i] = differences(*_bigrams(pair), odds)
    return values


def write(odds: dict[str, float]) -> None:
    lines = [f"{json.dumps(key, ensure_ascii=False)}: {value}" for key, value in odds.items()]
    ODDS_FILE.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def main() -> None:
    odds = table([pair for pair in load_pairs() if pair["split"] == "tune"])
    write(odds)
    print(f"{len(odds)} bigrams written to {ODDS_FILE.name}")


if __name__ == "__main__":
    main()
