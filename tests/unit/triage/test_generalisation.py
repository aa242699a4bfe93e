"""Rule set v2 reads denial beyond the mention's own clause and paraphrases beyond the first
families: a claim passed on and then checked and denied (网传…，经查无人死亡), a category
word a denial rules out (没有人被送去医院), an amount or a count said as an upper bound
(不到一万元), a list of denials across a description (也没有上学的孩子), a promise not to go
(保证不去北京上访), a supposition (说不定会打起来), and new paraphrase families."""

from __future__ import annotations

import pytest

from services.triage.numerals import read_quantities
from tests.unit.triage.conftest import triage_latest


def test_a_claim_passed_on_and_denied_after_a_check_is_set_aside() -> None:
    result = triage_latest("网传工地死了人，经查无人死亡，只有一名工人扭伤了脚。")
    assert "severe_harm" not in result.rule_ids and "injury" in result.rule_ids
    assert "set aside severe_harm: “死了” ruled out by “经查…无人”" in result.explanation
    result = triage_latest("业主称保安动手打人，经调取监控，保安并未动手。")
    assert result.tier.value == "blue"


def test_a_fight_stands_when_only_the_injury_is_denied() -> None:
    assert "injury" in triage_latest("两人打架，经了解没有人受伤。").rule_ids


def test_a_denied_hospital_makes_no_medical_dispute() -> None:
    result = triage_latest("当天没有人打架，也没有人被送去医院。")
    assert (result.tier.value, result.category.value) == ("blue", "other")
    assert "set aside category medical: “医院” ruled out by “没有”" in result.explanation
    kept = triage_latest("患者说医院没有给他做检查就开了药。")
    assert kept.category.value == "medical" and "risky_category" in kept.rule_ids


@pytest.mark.parametrize(
    ("text", "value"),
    [("欠款不到一万元", 9_999), ("欠了他不到两万块", 19_999), ("损失不足十万", 99_999)],
)
def test_an_amount_said_as_an_upper_bound_is_just_below_it(text: str, value: int) -> None:
    assert [q.value for q in read_quantities(text)[1]] == [value]


def test_upper_bounds_decide_the_money_and_count_rules() -> None:
    assert triage_latest("欠款不到一万元，双方对还款时间有分歧。").rule_ids == []
    assert "money_mid" in triage_latest("包工头欠了他不到两万块工钱。").rule_ids
    assert triage_latest("受影响的住户不足十户，都说楼上噪音大。").rule_ids == ["parties_mid"]


def test_a_list_of_denials_reaches_across_a_description() -> None:
    result = triage_latest("该户家里没有老人，也没有上学的孩子，只是对噪音有意见。")
    assert "vulnerable" not in result.rule_ids
    assert "vulnerable" in triage_latest("没有工作的老人被儿子赶出家门。").rule_ids
    assert "vulnerable" in triage_latest("家里有没人照顾的老人。").rule_ids


@pytest.mark.parametrize(
    "text",
    [
        "拆迁户写下承诺书，保证不去北京上访。",
        "他保证不再去北京，只在县里反映。",
    ],
)
def test_a_promise_not_to_go_is_no_petition_threat(text: str) -> None:
    assert "petition" not in triage_latest(text).rule_ids


def test_a_supposition_is_no_fight() -> None:
    assert triage_latest("假如那天没有人劝，他俩说不定会打起来，好在什么也没发生。").rule_ids == []
    assert triage_latest("两人当时情绪激动，或许会动手，民警及时赶到。").rule_ids == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("派出所已排除他杀，死者家属对赔偿有争议。", "severe_harm"),
        ("患者家属说这事不解决就去省卫健委讨说法。", "petition"),
        ("村民们拦住了进村的施工车辆，不让修路。", "mass"),
        ("这是同一问题的二次投诉。", "repeat"),
    ],
)
def test_new_paraphrase_families_fire(text: str, rule: str) -> None:
    assert rule in triage_latest(text).rule_ids


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("老太太说地要是被收走，她就在村委会门口喝药。", "land"),
        ("男子说谁敢拆他的房子他就捅谁。", "demolition"),
        ("学生放学路上被几个社会青年拦住打了一顿。", "school"),
        ("四户人家共用的排污管堵了，互相推诿。", "neighbour"),
        ("兄弟三个为父亲的老宅分配吵翻了天。", "marriage_family"),
        ("九十岁的老爷子被孙子赶出了家门。", "support"),
    ],
)
def test_new_category_words(text: str, category: str) -> None:
    assert triage_latest(text).category.value == category


@pytest.mark.parametrize(
    ("text", "because"),
    [
        ("有人说村里有人要集体上访，村干部称纯属谣言。", "谣言"),
        ("群众反映有人持刀伤人，民警到场核实后确认并无此事。", "并无此事"),
        ("听说隔壁老王被打住院了，经了解只是感冒住院。", "了解…只是"),
    ],
)
def test_a_claim_called_a_rumour_or_corrected_after_a_check_is_set_aside(
    text: str, because: str
) -> None:
    result = triage_latest(text)
    assert result.tier.value == "blue"
    assert any(line.endswith(f"“{because}”") for line in result.explanation)


def test_a_ban_or_a_warning_names_no_act() -> None:
    assert triage_latest("村委会贴出通知，严禁聚集堵路。").rule_ids == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("老汉把一瓶农药摆在桌上，说儿子不还钱他就喝了。", "extreme"),
        ("欠债的人说大不了大家一起完蛋，他先把债主家点着。", "extreme"),
        ("两人争执时一方用水果刀划伤了对方的手。", "extreme"),
        ("老人把绳子挂在梁上，说子女再不管他就吊死算了。", "extreme"),
        ("业主站在楼顶边上不肯下来，要开发商给说法。", "extreme"),
        ("他说这事镇里县里都不管，他只能去北京了。", "petition"),
        ("上周调解过的两家今天又吵到社区来了。", "repeat"),
    ],
)
def test_second_round_paraphrase_families_fire(text: str, rule: str) -> None:
    assert rule in triage_latest(text).rule_ids


def test_an_intent_given_up_later_in_the_sentence_is_set_aside() -> None:
    result = triage_latest("他倒是说过要去北京，但后来想通了，说不去了。")
    assert result.rule_ids == [] and any("想通了" in line for line in result.explanation)


def test_a_list_continues_a_conditional_consequence() -> None:
    assert "petition" in triage_latest("只要医院肯赔，家属就不会再去闹，也不会去北京。").rule_ids


def test_a_counterfactual_consequence_did_not_happen() -> None:
    assert triage_latest("幸好邻居拉住了，不然两人就打起来了。").rule_ids == []


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("那人拿着棍子追着他打，头都打破了。", ["injury"]),
        (
            "女子说丈夫赌博欠债。昨晚丈夫回家要钱，没给就把她按在地上打。",
            ["injury", "risky_category"],
        ),
        ("俺娘八十了，俺哥不给钱也不管，俺想问问咋办。", ["vulnerable"]),
        ("产后刚出院的儿媳被婆婆赶回了娘家。", ["vulnerable"]),
        ("这事儿他来了不下十回了，每回都说研究研究。", ["repeat"]),
        ("男子说这事让他很受伤，朋友借钱不还还拉黑他。", []),
        ("小区里新装了儿童滑梯，业主嫌位置挡路。", []),
    ],
)
def test_third_round_rules(text: str, rules: list[str]) -> None:
    assert triage_latest(text).rule_ids == rules


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("俺娘八十了，俺哥不给钱也不管，俺想问问咋办。", "support"),
        ("他家娃才上一年级，天天被高年级的要钱。", "school"),
        ("人没事，就是车刮花了。", "traffic"),
    ],
)
def test_third_round_categories(text: str, category: str) -> None:
    assert triage_latest(text).category.value == category


def test_a_denied_medical_accident_still_names_a_medical_matter() -> None:
    result = triage_latest("家属排除了医疗事故的可能，只是对收费有疑问。")
    assert result.category.value == "medical"


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("老板说这个月忙死了，工资晚几天发。", ["risky_category"]),
        ("离婚后前夫一直不付女儿的抚养费。", ["vulnerable"]),
        ("承包的鱼塘到期后村里不让续包，另租给了别人。", ["risky_category"]),
    ],
)
def test_fourth_round_rules(text: str, rules: list[str]) -> None:
    assert triage_latest(text).rule_ids == rules
