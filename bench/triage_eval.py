"""Triage accuracy on the evaluation set: tier and category accuracy, per-rule precision and
recall, the tier confusion matrix, and how negated mentions fared, for each rule set.

    .venv/bin/python bench/triage_eval.py [--ruleset v1 --ruleset v2] [--misses tune]

The set (bench/data/triage_eval.jsonl) holds reports written the way 12345 operators and grid
workers speak, each labelled with the tier, category and rules a mediator would give under
RULES.md §2, plus the 30 worked examples. ``split`` is ``tune``, ``test``, ``test2`` or
``test3``: the test third was set aside when the set was written, before the rule set was
tuned, and is never tuned on; ``test2`` is a second held-out batch written after v2 had been
tuned and before the topic rule was added (docs/triage.md), never tuned on either; ``test3``
is a third batch written blind after test2 had been measured, before the reading was
generalised, and never tuned on; ``test4`` is a fourth batch written blind before rule set
v4, never tuned on. ``--only SPLIT`` evaluates and prints the named splits alone, so that
work on ``tune`` shows no held-out figure.
``negated`` lists the mentions a case denies; none of them may trigger a rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.triage.domain import classify
from services.triage.models import CaseFacts, TriageResult
from services.triage.ruleset import RULE_IDS, load_ruleset

EVAL_SET = Path(__file__).resolve().parent / "data" / "triage_eval.jsonl"
TIERS = ("blue", "yellow", "red")
SPLITS = ("tune", "test", "test2", "test3", "test4")
HELD_OUT = ("test", "test2", "test3", "test4")


def load_cases(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def negated_hits(case: dict[str, Any], result: TriageResult) -> list[str]:
    """The case's negated mentions that still triggered a rule (should be none)."""
    parts = [
        part
        for rule in result.rules
        for trigger in rule.triggers
        if trigger.source == "text" and trigger.text
        for part in trigger.text.split("…")
    ]
    return [m for m in case.get("negated", []) if any(p in m or m in p for p in parts)]


@dataclass
class Outcome:
    case: dict[str, Any]
    result: TriageResult

    @property
    def tier_ok(self) -> bool:
        return self.result.tier.value == self.case["expected"]["tier"]

    @property
    def category_ok(self) -> bool:
        return self.result.category.value == self.case["expected"]["category"]

    @property
    def negation_ok(self) -> bool:
        return self.tier_ok and not negated_hits(self.case, self.result)


@dataclass
class Scores:
    outcomes: list[Outcome] = field(default_factory=list)

    def subset(self, split: str | None = None, kind: str | None = None) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if (split is None or o.case["split"] == split)
            and (kind is None or kind in o.case["kinds"])
        ]

    def accuracy(self, what: str, split: str | None = None, kind: str | None = None) -> float:
        chosen = self.subset(split, kind)
        return sum(getattr(o, f"{what}_ok") for o in chosen) / len(chosen) if chosen else 1.0

    def per_rule(self) -> dict[str, tuple[int, int, int]]:
        """Rule -> (true positives, false positives, false negatives)."""
        counts: dict[str, list[int]] = {rule: [0, 0, 0] for rule in RULE_IDS}
        for o in self.outcomes:
            got, want = set(o.result.rule_ids), set(o.case["expected"]["rules"])
            for rule in got | want:
                counts[rule][0 if rule in got and rule in want else 1 if rule in got else 2] += 1
        return {rule: (tp, fp, fn) for rule, (tp, fp, fn) in counts.items() if tp + fp + fn}

    def confusion(self, split: str | None = None) -> Counter[tuple[str, str]]:
        return Counter(
            (o.case["expected"]["tier"], o.result.tier.value) for o in self.subset(split)
        )


def evaluate(ruleset_name: str, cases: list[dict[str, Any]] | None = None) -> Scores:
    ruleset, matcher = load_ruleset(ruleset_name)
    scores = Scores()
    for case in cases if cases is not None else load_cases():
        facts = CaseFacts.model_validate(case["input"])
        scores.outcomes.append(Outcome(case, classify(facts, ruleset=ruleset, matcher=matcher)))
    return scores


def _pct(value: float) -> str:
    return f"{value * 100:5.1f} %"


def report(name: str, scores: Scores) -> list[str]:
    lines = [f"== rule set {name}: {len(scores.outcomes)} cases"]
    splits = [split for split in SPLITS if scores.subset(split)]
    sizes = "  ".join(f"{split} {len(scores.subset(split))}" for split in splits)
    lines.append(f"{'cases':<22}{sizes}   ({', '.join(HELD_OUT)}: held out)")
    lines.append(" " * 24 + "all     " + "".join(f"{split:<8}" for split in splits))
    for what in ("tier", "category"):
        row = [_pct(scores.accuracy(what, split)) for split in (None, *splits)]
        lines.append(f"{what + ' accuracy':<22}" + "  ".join(row))
    for kind in ("negation", "paraphrase", "example", "trap"):
        row = [_pct(scores.accuracy("tier", split, kind)) for split in (None, *splits)]
        n = len(scores.subset(None, kind))
        lines.append(f"{f'tier, {kind} ({n})':<22}" + "  ".join(row))
    for split in (None, *splits):
        negations = scores.subset(split, "negation")
        right = sum(o.negation_ok for o in negations)
        lines.append(
            f"negation cases right ({split or 'all'}; tier, no negated mention fired): "
            f"{right}/{len(negations)}"
        )
    lines.append("per rule           precision  recall   tp  fp  fn")
    for rule, (tp, fp, fn) in scores.per_rule().items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"  {rule:<17}{_pct(precision)}   {_pct(recall)} {tp:4} {fp:3} {fn:3}")
    for split in (None, *(s for s in HELD_OUT if s in splits)):
        matrix = scores.confusion(split)
        lines.append(f"tier confusion ({split or 'all'}; rows expected, columns given)")
        lines.append("            " + "".join(f"{t:>8}" for t in TIERS))
        for want in TIERS:
            lines.append(f"  {want:<10}" + "".join(f"{matrix[(want, got)]:8}" for got in TIERS))
    return lines


def misses(scores: Scores, split: str) -> list[str]:
    lines = []
    for o in scores.subset(split):
        if o.tier_ok and o.category_ok and not negated_hits(o.case, o.result):
            continue
        want = o.case["expected"]
        lines.append(
            f"{o.case['id']} want {want['tier']}/{want['category']}/{want['rules']} "
            f"got {o.result.tier.value}/{o.result.category.value}/{o.result.rule_ids}: "
            f"{o.case['input']['description']}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ruleset", action="append", help="version or TOML path (repeatable)")
    parser.add_argument("--misses", choices=SPLITS, help="list the wrong cases")
    parser.add_argument("--only", action="append", choices=SPLITS, help="these splits alone")
    args = parser.parse_args()
    cases = [c for c in load_cases() if not args.only or c["split"] in args.only]
    for name in args.ruleset or ["v1", "v3", "v4"]:
        scores = evaluate(name, cases)
        print("\n".join(report(name, scores)))
        if args.misses:
            print("\n".join(misses(scores, args.misses)))
        print()


if __name__ == "__main__":
    main()
