"""Each rule of v1, the tier arithmetic and 'a field wins over the text'."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain import classify, tier_of
from services.triage.models import CaseFacts, FiredRule
from services.triage.ruleset import Period
from shared.vocabulary import Category, Tier
from tests.unit.triage.conftest import MATCHER, RULESET, triage


@pytest.mark.parametrize(
    ("rule", "text", "tier"),
    [
        ("extreme", "他说不想活了要喝农药", Tier.RED),
        ("extreme", "男子持刀威胁", Tier.RED),
        ("petition", "扬言要赴京上访", Tier.RED),
        ("petition", "准备到省城去上访", Tier.RED),
        ("petition", "要越级上访", Tier.RED),
        ("mass", "村民在村口堵路", Tier.RED),
        ("mass", "三十多名工人", Tier.RED),
        ("severe_harm", "一人重伤", Tier.RED),
        ("money_high", "欠款15万元", Tier.RED),
        ("injury", "双方动手互殴", Tier.YELLOW),
        ("money_mid", "欠款两万元", Tier.YELLOW),
        ("parties_mid", "涉及七八户", Tier.YELLOW),
        ("risky_category", "近日发生家暴", Tier.YELLOW),
        ("vulnerable", "独居老人无人照顾", Tier.YELLOW),
        ("repeat", "此事已多次反映", Tier.YELLOW),
    ],
)
def test_each_rule_fires_on_its_words_and_sets_its_tier(rule: str, text: str, tier: Tier) -> None:
    result = triage(text)
    assert rule in result.rule_ids
    assert result.tier is tier
    fired = next(r for r in result.rules if r.id == rule)
    assert fired.triggers, "every fired rule names what triggered it"


@pytest.mark.parametrize(
    ("rule", "variant"),
    [
        ("extreme", "他说要寻短见"),
        ("extreme", "扬言泼汽油"),
        ("petition", "要上京告状"),
        ("mass", "组织群访"),
        ("mass", "在镇政府门口静坐"),
        ("severe_harm", "被打成植物人"),
        ("injury", "两人扭打在一起"),
        ("vulnerable", "空巢老两口"),
        ("repeat", "三番五次投诉"),
    ],
)
def test_synonyms_and_variants_fire_their_rule_and_name_the_word(rule: str, variant: str) -> None:
    result = triage(variant)
    fired = next(r for r in result.rules if r.id == rule)
    assert any(t.text and t.text in variant for t in fired.triggers)


def test_petition_needs_both_halves_of_a_combination() -> None:
    assert "petition" not in triage("他去北京旅游了").rule_ids
    assert "petition" in triage("他说要去北京，还要上访").rule_ids


def test_risky_category_follows_the_category() -> None:
    assert triage("宅基地纠纷").rule_ids == ["risky_category"]
    assert triage("噪音扰民").rule_ids == []


def test_one_tier_up_rules_stack_and_cap_at_red() -> None:
    assert triage("噪音扰民，已多次反映").tier is Tier.YELLOW
    assert triage("噪音扰民，老人多次反映").tier is Tier.RED
    assert triage("持刀威胁，多次反映").tier is Tier.RED


def test_sensitive_period_raises_one_tier_inside_the_configured_dates() -> None:
    ruleset = RULESET.model_copy(deep=True)
    ruleset.rules["sensitive_period"].periods.append(
        Period(name="两会", start=date(2027, 3, 3), end=date(2027, 3, 15))
    )
    inside = CaseFacts(description="噪音扰民", reported_at=datetime(2027, 3, 5, tzinfo=UTC))
    outside = CaseFacts(description="噪音扰民", reported_at=datetime(2027, 4, 5, tzinfo=UTC))
    assert classify(inside, ruleset=ruleset, matcher=MATCHER).tier is Tier.YELLOW
    assert classify(outside, ruleset=ruleset, matcher=MATCHER).tier is Tier.BLUE


def test_a_field_wins_over_the_same_fact_in_the_text() -> None:
    assert "mass" not in triage("三十多名工人讨薪", parties_count=5).rule_ids
    assert "parties_mid" in triage("三十多名工人讨薪", parties_count=5).rule_ids
    assert "money_high" not in triage("欠款15万元", amount_cny=Decimal(5000)).rule_ids
    assert "repeat" not in triage("再次反映", prior_reports=0).rule_ids
    assert triage("工资", category=Category.NEIGHBOUR).category is Category.NEIGHBOUR


def test_category_precedence_when_several_categories_appear() -> None:
    assert triage("邻居占了宅基地").category is Category.LAND
    assert triage("拆迁户的工资").category is Category.DEMOLITION
    assert triage("借钱不还").category is Category.OTHER


def test_the_explanation_names_rules_words_and_version() -> None:
    result = triage("某工地拖欠32名农民工工资共计28万元")
    assert result.ruleset_version == "v1"
    text = "\n".join(result.explanation)
    assert "32名" in text and "28万元" in text and "labour" in text


EFFECTS = st.sampled_from(["red", "at_least_yellow", "one_up"])
RULES = st.lists(st.builds(lambda e: FiredRule(id="r", effect=e, triggers=()), EFFECTS))


@given(RULES, EFFECTS)
def test_adding_a_fired_rule_never_lowers_the_tier(rules: list[FiredRule], effect: str) -> None:
    extra = FiredRule(id="x", effect=effect, triggers=())  # type: ignore[arg-type]
    assert tier_of([*rules, extra]).rank >= tier_of(rules).rank


@given(RULES)
def test_the_tier_is_never_above_red_and_red_floors_are_red(rules: list[FiredRule]) -> None:
    tier = tier_of(rules)
    assert tier in (Tier.BLUE, Tier.YELLOW, Tier.RED)
    if any(rule.effect == "red" for rule in rules):
        assert tier is Tier.RED
