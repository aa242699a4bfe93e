"""The duplicate score (合并工单): symmetric, bounded, a retelling of one incident above
another incident told alike at the same place, and its precision and recall on the
labelled set (bench/data/duplicate_pairs.jsonl) at the thresholds it ships with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.duplicates import evaluate, load_pairs, sketch
from bench.fit_duplicates import FEATURES, calibrate, fit, training_rows
from services.triage.duplicates.details import MAX_TEXT
from services.triage.duplicates.similarity import (
    FOLD_THRESHOLD,
    ReportSketch,
    similarity,
)
from services.triage.duplicates.weights import WEIGHTS
from shared.runtime.logging import MOBILE, RESIDENT_ID

PAIRS = load_pairs()
ORG = Path(__file__).resolve().parents[3] / "shared" / "org" / "data" / "sample_county.json"
GRID = "330681001001001"
NEIGHBOUR = "330681001001002"

DOG = ReportSketch(
    "狗叫扰民\n西塘社区三幢楼下那条狗叫了一整夜，老人小孩都被吵醒了。", "neighbour", GRID
)
DOG_RETOLD = ReportSketch(
    "夜间犬吠\n来电人反映：西塘小区3幢住户饲养犬只夜间持续吠叫，影响居民休息。",
    "neighbour",
    NEIGHBOUR,
)
DOG_NEXT_BUILDING = ReportSketch(
    "狗叫扰民\n西塘社区九幢楼下那条狗叫了一整夜，老人小孩都被吵醒了。", "neighbour", GRID
)
LIFT = ReportSketch(
    "电梯坏了\n西塘社区三幢电梯停运两天，物业不修，老人下不了楼。", "property_mgmt", GRID
)

reports = st.builds(
    ReportSketch,
    text=st.text(
        alphabet=st.sampled_from("狗叫电梯坏了三幢7号楼501室工资拖欠今天前天，。 "), max_size=60
    ),
    category=st.sampled_from([None, "neighbour", "labour"]),
    unit_code=st.sampled_from([GRID, NEIGHBOUR, "330681002001001", "330681001001"]),
    party_keys=st.frozensets(st.sampled_from(["phone:a", "phone:b", "id:c"]), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(reports, reports)
def test_the_score_is_symmetric_and_between_0_and_1(one: ReportSketch, other: ReportSketch) -> None:
    score = similarity(one, other)
    assert 0.0 <= score <= 1.0
    assert score == similarity(other, one)


def test_every_labelled_pair_scores_the_same_both_ways() -> None:
    for pair in PAIRS:
        one, other = sketch(pair["a"]), sketch(pair["b"])
        assert similarity(one, other) == similarity(other, one), pair["id"]


def test_a_retelling_ranks_above_the_same_words_about_another_building() -> None:
    retold, other_building = similarity(DOG, DOG_RETOLD), similarity(DOG, DOG_NEXT_BUILDING)
    assert retold > other_building
    assert retold >= FOLD_THRESHOLD > other_building


def test_another_incident_in_the_same_building_is_not_folded() -> None:
    assert similarity(DOG, LIFT) < FOLD_THRESHOLD
    assert similarity(DOG, LIFT) < similarity(DOG, DOG_NEXT_BUILDING) < similarity(DOG, DOG_RETOLD)


def test_a_party_in_common_raises_the_score_and_a_clash_outweighs_it() -> None:
    keyed = ReportSketch(DOG.text, DOG.category, DOG.unit_code, frozenset({"phone:k"}))
    retold_keyed = ReportSketch(
        DOG_RETOLD.text, DOG_RETOLD.category, DOG_RETOLD.unit_code, frozenset({"phone:k"})
    )
    next_keyed = ReportSketch(
        DOG_NEXT_BUILDING.text, DOG.category, DOG.unit_code, frozenset({"phone:k"})
    )
    assert similarity(keyed, retold_keyed) > similarity(DOG, DOG_RETOLD)
    assert similarity(keyed, next_keyed) < FOLD_THRESHOLD


def test_the_same_dog_hurting_a_child_and_killing_hens_is_two_incidents() -> None:
    bit_a_child = ReportSketch(
        "狗咬人\n东溪村郑家的大黄狗没拴，今天下午咬伤了一个放学回家的小孩，腿上流了好多血。",
        "other",
        GRID,
    )
    killed_hens = ReportSketch(
        "狗咬死鸡\n东溪村郑家的大黄狗没拴，跑进我家院子咬死了五只鸡，郑家不肯赔。", "other", GRID
    )
    retold = ReportSketch(
        "犬只伤人\n来电人反映东溪村郑某饲养的犬只未拴养，咬伤一名放学途中的儿童腿部。",
        "other",
        NEIGHBOUR,
    )
    assert similarity(bit_a_child, killed_hens) < FOLD_THRESHOLD
    assert similarity(bit_a_child, retold) > similarity(bit_a_child, killed_hens)


def test_the_set_has_the_size_and_mix_the_issue_asks_for() -> None:
    assert len(PAIRS) >= 240
    assert sum(pair["split"] == "test" for pair in PAIRS) >= 96
    assert sum(pair["split"] == "test2" for pair in PAIRS) >= 120
    assert sum(pair["split"] == "test3" for pair in PAIRS) >= 150
    assert len({pair["id"] for pair in PAIRS}) == len(PAIRS)
    for split in ("tune", "test", "test2", "test3"):
        labels = [pair["label"] for pair in PAIRS if pair["split"] == split]
        assert labels.count("same") >= 40 and labels.count("different") >= 40
    alike = [pair for pair in PAIRS if pair["label"] == "different" and pair["kind"] != "unrelated"]
    same_place = [p for p in alike if p["a"]["unit_code"][:12] == p["b"]["unit_code"][:12]]
    assert len(same_place) == len(alike) >= 120


def test_the_set_uses_real_grids_and_only_synthetic_personal_data() -> None:
    units = json.loads(ORG.read_text(encoding="utf-8"))
    codes = {unit["code"] for unit in (units["units"] if isinstance(units, dict) else units)}
    real_number = re.compile(rf"(?<!\d)(?:{MOBILE}|{RESIDENT_ID})(?!\d)")
    for pair in PAIRS:
        for report in (pair["a"], pair["b"]):
            assert report["unit_code"] in codes, pair["id"]
            for party in report["parties"]:
                assert not real_number.search(party["phone"]), pair["id"]
                assert party["phone"].startswith("139-0000-"), pair["id"]


def test_folding_is_precise_on_the_tuning_part_and_proposing_catches_nearly_all() -> None:
    fold, propose = evaluate("tune", PAIRS)
    assert fold.precision >= 0.95 and fold.recall >= 0.55
    assert propose.recall >= 0.9


def test_the_shipped_weights_are_those_the_fit_gives_on_the_tuning_part() -> None:
    tune = [pair for pair in PAIRS if pair["split"] == "tune"]
    rows = training_rows(tune)
    labels = [int(pair["label"] == "same") for pair in tune]
    fitted = calibrate(fit(rows, labels), rows, labels)
    assert [round(value, 4) for value in fitted] == [WEIGHTS[name] for name in ("bias", *FEATURES)]


@pytest.mark.xfail(
    strict=True,
    reason="held-out parts: folding 82.9 % precision, 60.4 % recall (test), 94.1 %, 80.0 % "
    "(test2, written blind) and 100 %, 56.0 % (test3, written blind) (docs/duplicates.md, The "
    "figures): accounts in words the synonym sets, kinds, acts, objects and learned "
    "differences do not hold, and incidents at one place that differ in what happened in "
    "words they do not hold",
)
@pytest.mark.parametrize("split", ["test", "test2", "test3"])
def test_folding_meets_the_issue_targets_on_the_held_out_parts(split: str) -> None:
    fold, _ = evaluate(split, PAIRS)
    assert fold.precision >= 0.95 and fold.recall >= 0.85


def test_a_long_account_is_read_up_to_its_first_600_characters() -> None:
    head = DOG.text + "，" * (MAX_TEXT - len(DOG.text))
    long = ReportSketch(head + "九幢电梯坏了" * 10_000, DOG.category, DOG.unit_code)
    assert similarity(long, DOG_RETOLD) == similarity(
        ReportSketch(head, DOG.category, DOG.unit_code), DOG_RETOLD
    )


SCORE_EVERY_PAIR = (
    "import hashlib\n"
    "from bench.duplicates import load_pairs, score_pairs\n"
    "print(hashlib.sha256(repr([s for _, s in score_pairs(load_pairs())]).encode()).hexdigest())"
)


def test_two_processes_score_every_pair_to_the_last_bit() -> None:
    """Two triage instances (each with its own string-hash seed) give the same score, so a
    report at the fold threshold is folded by both or by neither."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    digests = {
        subprocess.run(
            [sys.executable, "-c", SCORE_EVERY_PAIR],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
