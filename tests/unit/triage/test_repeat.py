"""The repeat rule counting earlier cases itself (RULES.md §2b): a party's third dispute, or
the third of one category at one grid, goes one tier up, naming the earlier cases."""

from __future__ import annotations

from datetime import UTC, datetime

from services.triage.models import EarlierCase
from shared.vocabulary import Category, Tier
from tests.unit.triage.conftest import triage, triage_latest

NEIGHBOUR = "楼上邻居装修噪音扰民"


def earlier(number: str, day: int, **kind: object) -> EarlierCase:
    when = datetime(2026, 3, day, 9, tzinfo=UTC)
    return EarlierCase(number=number, reported_at=when, **kind)  # type: ignore[arg-type]


def explanation_line(result: object, rule: str) -> str:
    lines = [line for line in result.explanation if line.startswith(rule)]  # type: ignore[attr-defined]
    assert len(lines) == 1, result.explanation  # type: ignore[attr-defined]
    return lines[0]


def test_two_earlier_cases_of_the_same_party_raise_a_tier_and_are_named() -> None:
    cases = (earlier("FQ-2", 9, same_party=True), earlier("FQ-1", 2, same_party=True))
    result = triage_latest(NEIGHBOUR, earlier=cases)
    assert result.tier is Tier.YELLOW and "repeat" in result.rule_ids
    line = explanation_line(result, "repeat")
    assert line.index("earlier case FQ-1") < line.index("earlier case FQ-2")  # oldest first
    assert "same party, reported 2026-03-02" in line


def test_one_earlier_case_is_not_yet_a_repeat() -> None:
    result = triage_latest(NEIGHBOUR, earlier=(earlier("FQ-1", 2, same_party=True),))
    assert result.tier is Tier.BLUE and "repeat" not in result.rule_ids


def test_the_same_grid_counts_only_for_the_same_category() -> None:
    same = (
        earlier("FQ-1", 2, same_grid=True, category=Category.NEIGHBOUR),
        earlier("FQ-2", 3, same_grid=True, category=Category.NEIGHBOUR),
    )
    raised = triage_latest(NEIGHBOUR, earlier=same)
    assert raised.category is Category.NEIGHBOUR and raised.tier is Tier.YELLOW
    assert "same grid and category" in explanation_line(raised, "repeat")
    other = tuple(e.model_copy(update={"category": Category.CONSUMER}) for e in same)
    assert "repeat" not in triage_latest(NEIGHBOUR, earlier=other).rule_ids


def test_party_and_grid_cases_add_up() -> None:
    cases = (
        earlier("FQ-1", 2, same_party=True, category=Category.LABOUR),
        earlier("FQ-2", 3, same_grid=True, category=Category.NEIGHBOUR),
    )
    line = explanation_line(triage_latest(NEIGHBOUR, earlier=cases), "repeat")
    assert "FQ-1 (same party" in line and "FQ-2 (same grid and category" in line


def test_the_larger_of_the_callers_count_and_the_history_counts() -> None:
    one = (earlier("FQ-1", 2, same_party=True),)
    said = triage_latest(NEIGHBOUR, prior_reports=3, earlier=one)
    line = explanation_line(said, "repeat")
    assert said.tier is Tier.YELLOW and "prior_reports=3" in line and "FQ-1" in line
    two = (*one, earlier("FQ-2", 3, same_party=True))
    found = triage_latest(NEIGHBOUR, prior_reports=0, earlier=two)
    assert found.tier is Tier.YELLOW and "prior_reports" not in explanation_line(found, "repeat")
    assert "repeat" not in triage_latest(NEIGHBOUR, prior_reports=1, earlier=one).rule_ids


def test_words_still_fire_and_name_an_earlier_case_found() -> None:
    result = triage_latest(
        "此事已多次反映，" + NEIGHBOUR, earlier=(earlier("FQ-1", 2, same_party=True),)
    )
    line = explanation_line(result, "repeat")
    assert result.tier is Tier.YELLOW and "多次反映" in line and "FQ-1" in line


def test_a_raised_tier_stops_at_red() -> None:
    cases = (earlier("FQ-1", 2, same_party=True), earlier("FQ-2", 3, same_party=True))
    assert triage_latest("他说要喝农药，" + NEIGHBOUR, earlier=cases).tier is Tier.RED


def test_rule_set_v1_reads_the_caller_and_the_words_alone() -> None:
    cases = (earlier("FQ-1", 2, same_party=True), earlier("FQ-2", 3, same_party=True))
    assert "repeat" not in triage(NEIGHBOUR, earlier=cases).rule_ids
