"""Duplicate reports (合并工单): precision and recall of automatic folding and of proposing,
on the labelled pairs, and how many pairs a second the score handles.

    .venv/bin/python bench/duplicates.py [--misses tune] [--seconds 2]

The set (bench/data/duplicate_pairs.jsonl) holds pairs of reports written the way 12345
callers, hotline operators and grid workers speak, each labelled ``same`` (one incident told
by different people in other words, from neighbouring grids) or ``different`` (another
incident told alike: same category and place, another building, family, time or thing).
``split`` is ``tune``, ``test``, ``test2`` or ``test3``: the test part was set aside when the
set was written, before the score existed, and is never tuned on; the test2 part (120 pairs,
60 same) was written blind after the score was fitted, by other tellers about other
incidents, and is never tuned on either; nor is test3 (150 pairs, 75 same), written blind
before the learned score; their misses are not listed. ``--parts test3`` scores only the
parts named. Other pairs written later are all ``tune``
(bench/fit_duplicates.py fits the score's weights on that part). A pair counts as folded
when its score is at least FOLD_THRESHOLD, as proposed when at least PROPOSE_THRESHOLD.

Parties carry synthetic phone numbers; the score sees only their keyed hashes (a bench key),
and nothing here prints a number or a name.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.triage.duplicates.reading import read
from services.triage.duplicates.similarity import (
    FOLD_THRESHOLD,
    PROPOSE_THRESHOLD,
    ReportSketch,
    similarity,
)

PAIRS = Path(__file__).resolve().parent / "data" / "duplicate_pairs.jsonl"
BENCH_KEY = b"duplicates-bench"
HELD_OUT = (
    ("tune", "tuning part"),
    ("test", "held-out part"),
    ("test2", "held-out part 2 (written blind after the fit)"),
    ("test3", "held-out part 3 (written blind before the learned score)"),
)
"""The parts reported, in order: the tuning part, then the three held-out parts."""


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _key(kind: str, value: str) -> str:
    digits = re.sub(r"[^0-9Xx]", "", value).upper()
    return f"{kind}:" + hmac.new(BENCH_KEY, digits.encode(), hashlib.sha256).hexdigest()


def sketch(report: dict[str, Any]) -> ReportSketch:
    """The score's view of one report of the set: parties only as keyed hashes."""
    keys = {
        _key(kind, party[field])
        for party in report.get("parties", [])
        for kind, field in (("phone", "phone"), ("id", "id_number"))
        if party.get(field)
    }
    return ReportSketch(
        text=f"{report['title']}\n{report['description']}",
        category=report.get("category"),
        unit_code=report["unit_code"],
        party_keys=frozenset(keys),
    )


@dataclass(frozen=True)
class Rates:
    """Precision and recall of calling a pair ``same`` at or above one threshold."""

    threshold: float
    pairs: int
    same: int
    called: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.called if self.called else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.same if self.same else 1.0


def rates(scored: list[tuple[dict[str, Any], float]], threshold: float) -> Rates:
    called = [pair for pair, score in scored if score >= threshold]
    return Rates(
        threshold=threshold,
        pairs=len(scored),
        same=sum(pair["label"] == "same" for pair, _ in scored),
        called=len(called),
        right=sum(pair["label"] == "same" for pair in called),
    )


def score_pairs(pairs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], float]]:
    return [(pair, similarity(sketch(pair["a"]), sketch(pair["b"]))) for pair in pairs]


def evaluate(split: str, pairs: list[dict[str, Any]] | None = None) -> tuple[Rates, Rates]:
    """(folding, proposing) on one part of the set."""
    chosen = [pair for pair in pairs or load_pairs() if pair["split"] == split]
    scored = score_pairs(chosen)
    return rates(scored, FOLD_THRESHOLD), rates(scored, PROPOSE_THRESHOLD)


def throughput(pairs: list[dict[str, Any]], seconds: float) -> tuple[float, float]:
    """On one core: (texts read a second, the reading each report gets once and keeps;
    pairs scored a second once both texts are read, what each candidate costs)."""
    sketches = [(sketch(pair["a"]), sketch(pair["b"])) for pair in pairs]
    texts = list({one.text for pair in sketches for one in pair})
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds / 2:
        read.cache_clear()
        for text in texts:
            read(text)
        done += len(texts)
    reads = done / (time.perf_counter() - started)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds / 2:
        for new, old in sketches:
            similarity(new, old)
        done += len(sketches)
    return reads, done / (time.perf_counter() - started)


def _line(name: str, found: Rates) -> str:
    return (
        f"  {name:<10} score >= {found.threshold:.2f}: precision {found.precision:6.1%}"
        f" ({found.right}/{found.called})  recall {found.recall:6.1%} ({found.right}/{found.same})"
    )


def misses(pairs: list[dict[str, Any]], split: str) -> list[str]:
    """The pairs of one part that folding gets wrong, by id and kind (no report text)."""
    wrong = []
    for pair, score in score_pairs([p for p in pairs if p["split"] == split]):
        if (score >= FOLD_THRESHOLD) != (pair["label"] == "same"):
            wrong.append(f"  {pair['id']} {pair['label']:<9} {pair['kind']:<30} {score:.3f}")
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", choices=("tune", "test"), help="list the wrong pairs")
    parser.add_argument("--seconds", type=float, default=2.0, help="throughput run length")
    parser.add_argument(
        "--parts", default=",".join(split for split, _ in HELD_OUT), help="parts to score"
    )
    args = parser.parse_args()
    pairs = load_pairs()
    print(f"thresholds: fold >= {FOLD_THRESHOLD}, propose >= {PROPOSE_THRESHOLD}")
    chosen = args.parts.split(",")
    for split, name in [(split, name) for split, name in HELD_OUT if split in chosen]:
        fold, propose = evaluate(split, pairs)
        print(f"{name}: {fold.pairs} pairs, {fold.same} same")
        print(_line("fold", fold))
        print(_line("propose", propose))
        if args.misses == split:
            print("\n".join(misses(pairs, split)))
    reads, scored = throughput(pairs, args.seconds)
    print(f"one core: {scored:,.0f} pairs/s scored (texts read), {reads:,.0f} texts/s read "
          f"(once per report); a new report against 20 read candidates: "
          f"{1000 / reads + 20_000 / scored:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
