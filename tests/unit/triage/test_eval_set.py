"""The evaluation set (bench/data/triage_eval.jsonl) is what the issue asks for, its labels
agree with the tier arithmetic, no rule fires on a mention a case denies, and rule set v2
meets its accuracy on the held-out batches (the third set aside when the set was written, the
second batch written before the topic rule was added, and the third batch written blind
before the reading was generalised; the last two are not met yet and marked so)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.triage_eval import HELD_OUT, Scores, evaluate, load_cases, negated_hits
from services.triage.domain import tier_of
from services.triage.models import FiredRule
from services.triage.ruleset import EFFECTS, WORDLESS
from tests.unit.triage.conftest import triage_latest

CASES = load_cases()
# The second held-out batch is not tuned on: v2's misses there stay until a later rule set
# fixes them in general terms (docs/triage.md, "The second held-out batch"). strict: a fix
# makes these tests fail until the entry is removed.
NOT_MET = pytest.mark.xfail(strict=True, reason="v2 misses it; test2/test3 are never tuned on")
TEST2_NEGATION_MISSES = {"s087", "s096", "s097", "s099", "s103"}
# Tune reports of the fifth round that v4 still reads wrong (docs/triage.md, "The fifth
# round"): a bluff said as 是吓唬他妈的, a reporter's 万一 about a petition, and a count of
# people whose trip was called off (counts are not read for withdrawal).
LEFT_WRONG = pytest.mark.xfail(strict=True, reason="left wrong in tune by rule set v4")
TUNE_NEGATION_MISSES = {"c1073", "c1075", "c1093"}
NEGATED = [
    pytest.param(case, marks=NOT_MET)
    if case["id"] in TEST2_NEGATION_MISSES
    else pytest.param(case, marks=LEFT_WRONG)
    if case["id"] in TUNE_NEGATION_MISSES
    else case
    for case in CASES
    # test3 and test4 are judged by their totals only (test_held_out_accuracy_of_v2), never
    # case by case, so that no report of them is ever shown while the rule set is worked on
    if case.get("negated") and case["split"] not in ("test3", "test4")
]


@pytest.fixture(scope="module")
def v2() -> Scores:
    return evaluate("v4", CASES)


def test_the_set_has_the_size_and_mix_the_issue_asks_for() -> None:
    kinds = [kind for case in CASES for kind in case["kinds"]]
    assert len(CASES) >= 300
    assert kinds.count("negation") >= 60 and kinds.count("example") == 30
    assert kinds.count("paraphrase") >= 120
    paraphrased = {
        rule
        for case in CASES
        if "paraphrase" in case["kinds"]
        for rule in case["expected"]["rules"]
    }
    assert set(EFFECTS) - WORDLESS <= paraphrased | {"sensitive_period"}
    held_out = sum(case["split"] in HELD_OUT for case in CASES)
    assert len(CASES) / 4 <= held_out <= len(CASES) / 2
    for later in ("test2", "test3", "test4"):
        batch = [case for case in CASES if case["split"] == later]
        assert len(batch) >= 90 and sum("negation" in c["kinds"] for c in batch) >= 30


def test_each_label_agrees_with_the_tier_arithmetic() -> None:
    wrong = [
        case["id"]
        for case in CASES
        if tier_of(
            [FiredRule(id=r, effect=EFFECTS[r], triggers=()) for r in case["expected"]["rules"]]
        )
        != case["expected"]["tier"]
    ]
    assert wrong == []


@pytest.mark.parametrize("case", NEGATED, ids=lambda c: c["id"])
def test_no_rule_fires_on_a_negated_mention(case: dict[str, Any]) -> None:
    fields = dict(case["input"])
    result = triage_latest(fields.pop("description"), **fields)
    assert negated_hits(case, result) == [], result.explanation


@pytest.mark.parametrize(
    "split",
    [pytest.param(s, marks=NOT_MET) if s in ("test2", "test3", "test4") else s for s in HELD_OUT],
)
def test_held_out_accuracy_of_v2(v2: Scores, split: str) -> None:
    assert v2.accuracy("tier", split) >= 0.95
    assert v2.accuracy("category", split) >= 0.95
    wrong = [o.case["id"] for o in v2.subset(split, "negation") if not o.negation_ok]
    assert wrong == [], "every negation case of a held-out batch is right"


def test_v2_is_right_on_every_worked_example_and_better_than_v1_overall(v2: Scores) -> None:
    assert v2.accuracy("tier", None, "example") == 1.0
    assert v2.accuracy("category", None, "example") == 1.0
    assert v2.accuracy("tier") > evaluate("v1", CASES).accuracy("tier") + 0.3
