"""Triage benchmark: classifications per second on one core, and matcher start-up time.

    .venv/bin/python bench/triage.py [--reports 10000] [--ruleset v1 --ruleset v4]

Each rule set (v1 and v4 by default, v4 also with every clause cut afresh) classifies the
same mix in the same run, taking turns over slices of 500 reports so that a busy machine slows
each alike. Each rate is given by the wall clock and per second of the process's own CPU time.

The mix is built from the worked examples (../shared/domain/triage-examples.jsonl when
present, otherwise a built-in sample) with varied numbers, places and padding text.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.triage.domain import classify
from services.triage.matcher import Matcher
from services.triage.models import CaseFacts
from services.triage.ruleset import RuleSet, load_ruleset

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "domain" / "triage-examples.jsonl"
BUILT_IN = [
    {"title": "装修噪音扰民", "description": "楼上住户连续一周晚上装修,噪音很大,影响休息。"},
    {"title": "农民工讨薪", "description": "包工头拖欠32名农民工工资共计28万元,扬言要去北京上访。"},
    {"title": "赡养纠纷", "description": "老人反映儿子不履行赡养义务。"},
]
PADDING = [
    "经网格员初步了解，",
    "当事人情绪较为稳定，",
    "村委会已介入，",
    "请尽快协调处理。",
    "双方各执一词，",
    "事发地点位于村东头，",
]
CHUNK = 500
NUMBERS = ["3名", "十几户", "三十多名", "5人", "两千块", "1.2万元", "15万元", "八千元"]


def reports(n: int, seed: int = 7) -> list[CaseFacts]:
    rng = random.Random(seed)
    if EXAMPLES.exists():
        bases = [json.loads(line)["input"] for line in EXAMPLES.read_text().splitlines() if line]
    else:
        bases = BUILT_IN
    mix = []
    for _ in range(n):
        base = dict(rng.choice(bases))
        extra = "".join(rng.sample(PADDING, 2)) + f"涉及{rng.choice(NUMBERS)}。"
        base["description"] = base["description"] + extra
        mix.append(CaseFacts.model_validate(base))
    return mix


@dataclass
class Runner:
    """One rule set (warm, or ``cold``: every cut clause forgotten before each report, as if
    no two reports shared a clause), and the wall and CPU seconds it has spent so far."""

    label: str
    ruleset: RuleSet
    matcher: Matcher
    cold: bool
    wall: float = 0.0
    cpu: float = 0.0

    def run(self, chunk: list[CaseFacts]) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        for facts in chunk:
            if self.cold and self.ruleset.reading is not None:
                self.ruleset.reading.forget()
            classify(facts, ruleset=self.ruleset, matcher=self.matcher)
        self.wall += time.perf_counter() - started
        self.cpu += time.process_time() - cpu


def runners(name: str, mix: list[CaseFacts]) -> list[Runner]:
    started = time.perf_counter()
    ruleset, matcher = load_ruleset(name)
    startup = time.perf_counter() - started
    classify(mix[0], ruleset=ruleset, matcher=matcher)
    print(f"{name}: rule set load + matcher build (with the segmenter): {startup * 1000:.1f} ms")
    found = [Runner(f"{name}", ruleset, matcher, cold=False)]
    if ruleset.reading is not None:
        found.append(Runner(f"{name}, every clause cut afresh", ruleset, matcher, cold=True))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--ruleset", action="append", help="version or TOML path (repeatable)")
    args = parser.parse_args()
    mix = reports(args.reports)
    every = [r for name in args.ruleset or ["v1", "v4"] for r in runners(name, mix)]
    # The rule sets take turns over slices of the mix, so that a busy machine slows each alike.
    for at in range(0, len(mix), CHUNK):
        for runner in every:
            runner.run(mix[at : at + CHUNK])
    for r in every:
        print(
            f"{r.label}: {len(mix) / r.wall:,.0f} reports/s on one core "
            f"({len(mix) / r.cpu:,.0f} per CPU second; target >= 5,000/s)"
        )


if __name__ == "__main__":
    main()
