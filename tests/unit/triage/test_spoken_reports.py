"""Rule set v3 reads reports as callers and grid workers speak them (docs/triage.md, "The
fourth tuning batch"): someone else's story is no event of this dispute (邻村…出了车祸死了人),
an event prevented is denied (保证不让工人去堵门) while a party kept out is still a party
(不让老人进门), a plan stopped by others is given up (被村支书劝住了), an animal's death is
no harm to a person, a word naming where a quarrel happened is no category (在地头上), and
numbers are read as people say them (仨儿子, 楼上三户, 四十来号工人, 402家 as a flat).
Released v2 reads none of these (tests/unit/triage/test_released_rulesets.py pins it)."""

from __future__ import annotations

import pytest

from services.triage.numerals import read_quantities
from tests.unit.triage.conftest import triage, triage_latest


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("来电人反映邻村前几天出了车祸死了人，要求在自家门口装减速带。", "severe_harm"),
        ("村民说他们村去年有个人因为征地喝农药，他自己只想多要点补偿。", "extreme"),
        ("他说看新闻里有人讨薪跳楼，他只想要回自己的工钱。", "extreme"),
        ("他说他表哥去年跟人打架打骨折了，所以这次能忍就忍。", "injury"),
    ],
)
def test_someone_elses_story_is_no_event_of_this_dispute(text: str, rule: str) -> None:
    result = triage_latest(text)
    assert rule not in result.rule_ids, result.explanation
    assert any(line.startswith(f"set aside {rule}") for line in result.explanation)
    assert rule in triage(text, version="v2").rule_ids


def test_the_dispute_itself_still_counts_beside_someone_elses_story() -> None:
    result = triage_latest("邻村有人出了事，可他自己昨天被对方打伤了。")
    assert "injury" in result.rule_ids


def test_an_event_prevented_is_denied_but_a_party_kept_out_is_a_party() -> None:
    assert "mass" not in triage_latest("包工头保证不让工人去堵门，只求老板把钱打过来。").rule_ids
    assert "vulnerable" in triage_latest("儿子不让老人进门，老人在门口坐了一夜。").rule_ids


def test_a_plan_stopped_by_others_is_given_up() -> None:
    result = triage_latest("有人提议拉横幅，被村支书劝住了，横幅最终没拉。")
    assert result.tier.value == "blue", result.explanation


def test_an_animals_death_is_no_harm_to_a_person() -> None:
    assert triage_latest("两家为狗咬死了她家三只鸡吵架。").tier.value == "blue"
    assert "severe_harm" in triage_latest("他家的狗把邻居家的孩子咬死了。").rule_ids


def test_a_field_named_as_the_place_of_a_quarrel_is_no_land_dispute() -> None:
    assert triage_latest("两家在地头上吵了几句。").category.value == "other"
    assert triage_latest("两家为地头的界桩吵了几句。").category.value == "land"


@pytest.mark.parametrize(
    ("text", "count"),
    [("仨儿子轮流管饭", 3), ("楼上三户人家联名", 3), ("四十来号工人没拿到钱", 40)],
)
def test_numbers_as_people_say_them(text: str, count: int) -> None:
    assert [q.value for q in read_quantities(text, spoken=True)[0]] == [count]


def test_a_flat_number_is_no_count() -> None:
    text = "5号楼402与502漏水纠纷，402家有位80岁老人。"
    assert read_quantities(text, spoken=True)[0] == []
    assert triage_latest(text).tier.value == "yellow"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("网格员：某村王某酒后扬言烧了村会计家。", "extreme"),
        ("他提了一桶汽油站在村委会门口。", "extreme"),
        ("大娘说她就去村东头河里一跳算了。", "extreme"),
        ("他一急就上手了，照着对方脸上抡了两拳。", "injury"),
        ("他被人推下台阶，到现在人还没醒。", "severe_harm"),
        ("俺爹七十八了，俩儿子谁也不管。", "vulnerable"),
        ("老张腿脚不利索，出门得拄棍。", "vulnerable"),
        ("说乡里不管就去县里，县里再不管就上市里找领导。", "petition"),
        ("还是油烟那个老毛病，去年就来说过。", "repeat"),
    ],
)
def test_paraphrases_in_spoken_form(text: str, rule: str) -> None:
    assert rule in triage_latest(text).rule_ids


@pytest.mark.parametrize(
    "text",
    [
        "女子说男友把她的脸打肿了。",
        "怀孕五个月的妻子被丈夫推倒在地。",
        "两口子昨晚干仗，男的把女的脸上打得青一块紫一块。",
    ],
)
def test_a_partners_blows_are_domestic_violence_whoever_the_partner_is(text: str) -> None:
    assert "risky_category" in triage_latest(text).rule_ids


def test_a_heart_hurt_is_no_injury() -> None:
    assert triage_latest("她说受伤的是她的心。", title="受伤的心").rule_ids == []


@pytest.mark.parametrize("text", ["两家吵了一架，没得人受伤。", "双方吵得凶，冇人动手。"])
def test_a_dialect_denial_sets_the_mention_aside(text: str) -> None:
    assert "injury" not in triage_latest(text).rule_ids
