"""The learned part of the duplicate score (合并工单): the character pairs only one account
holds weigh as the tuning part taught them, so another incident at one place told alike
scores below a retelling in other words, the same in every process."""

from __future__ import annotations

import math

from bench.duplicates import load_pairs
from bench.fit_differences import out_of_fold, table
from services.triage.duplicates.differences import ODDS, SHRINK, differences, differences_read
from services.triage.duplicates.reading import read
from services.triage.duplicates.similarity import FOLD_THRESHOLD, ReportSketch, evidence, similarity

GRID = "330681001001001"
LEAK = ReportSketch(
    "楼上漏水\n我家卫生间天花板一直往下滴水，楼上说不是他家的问题，已经一个礼拜了。",
    "neighbour",
    GRID,
)
LEAK_RETOLD = ReportSketch(
    "楼上住户渗水\n来电人反映：其家卫生间顶部持续渗水，楼上住户否认，要求协调。",
    "neighbour",
    GRID,
)
RENOVATION = ReportSketch(
    "楼上装修太吵\n楼上装修一大早就开始电钻，周末也不停，说了不听。", "neighbour", GRID
)


def test_another_incident_upstairs_differs_the_way_two_incidents_do() -> None:
    retold, other = evidence(LEAK, LEAK_RETOLD), evidence(LEAK, RENOVATION)
    assert other.differences < 0 <= retold.differences + 0.05
    assert similarity(LEAK, LEAK_RETOLD) >= FOLD_THRESHOLD > similarity(LEAK, RENOVATION)


def test_the_kept_sums_give_what_the_table_gives_pair_by_pair() -> None:
    one, other = read(LEAK.text), read(RENOVATION.text)
    by_pair = differences(one.bigrams, other.bigrams)
    kept = differences_read(one.bigrams, one.bigram_weight, other.bigrams, other.bigram_weight)
    assert math.isclose(by_pair, kept, abs_tol=1e-12)
    assert kept == differences_read(
        other.bigrams, other.bigram_weight, one.bigrams, one.bigram_weight
    )
    assert differences(frozenset(), frozenset()) == 0.0 / SHRINK


def test_the_shipped_table_is_the_one_the_tuning_part_gives() -> None:
    tune = [pair for pair in load_pairs() if pair["split"] == "tune"]
    assert table(tune) == ODDS


def test_the_weights_see_the_learned_differences_out_of_fold() -> None:
    """A table trusted on the pairs it was drawn from would make the fit lean on it."""
    tune = [pair for pair in load_pairs() if pair["split"] == "tune"][:300]
    drawn_from = table(tune)
    held = out_of_fold(tune)
    inside = [differences(read_pair(p)[0], read_pair(p)[1], drawn_from) for p in tune]
    same = [h for h, p in zip(held, tune, strict=True) if p["label"] == "same"]
    same_inside = [v for v, p in zip(inside, tune, strict=True) if p["label"] == "same"]
    assert held != inside
    assert sum(same) < sum(same_inside)


def read_pair(pair: dict[str, dict[str, str]]) -> tuple[frozenset[str], frozenset[str]]:
    texts = (f"{pair[side]['title']}\n{pair[side]['description']}" for side in ("a", "b"))
    one, other = (read(text).bigrams for text in texts)
    return one, other
