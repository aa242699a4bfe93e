"""Rule set v2 reads a mention in its context: a denied signal is set aside and named, a
conditional threat still fires, a worry about an event is not the event, and a word that
only appears inside another word does not count. v1 (words alone) is unchanged."""

from __future__ import annotations

import pytest

from shared.vocabulary import Tier
from tests.unit.triage.conftest import triage, triage_latest


@pytest.mark.parametrize(
    ("text", "rule", "mention", "negator"),
    [
        ("两户村民因排水沟走向争吵,现场无人员受伤。", "injury", "受伤", "无"),
        ("菜市场摊主之间发生口角,双方均未动手。", "injury", "动手", "均未"),
        ("邻居吵了几句,没有人受伤。", "injury", "受伤", "没有"),
        ("对方没打人,只是推开了手机。", "injury", "打人", "没"),
        ("讨薪工人表示不会去北京上访。", "petition", "去北京上访", "不会"),
        ("经消防核实,排除人为纵火。", "extreme", "纵火", "排除"),
        ("丈夫否认有家暴行为。", "risky_category", "家暴", "否认"),
        ("现场秩序良好,尚未发生聚集。", "mass", "聚集", "尚未"),
        ("他称并非持刀,只是拿着扫帚。", "extreme", "持刀", "并非"),
        ("打人一事经核实不属实。", "injury", "打人", "不属实"),
    ],
)
def test_a_denied_mention_does_not_fire_and_the_explanation_names_it(
    text: str, rule: str, mention: str, negator: str
) -> None:
    result = triage_latest(text)

    assert rule not in result.rule_ids
    assert (rule, mention, negator) in {(a.rule, a.text, a.because) for a in result.set_aside}
    assert any(mention in line and negator in line for line in result.explanation)
    assert rule in triage(text).rule_ids, "v1 reads words alone and still fires"


def test_the_issue_reports_come_out_blue_under_v2() -> None:
    assert triage_latest("两户村民因排水沟走向争吵,现场无人员受伤。").tier is Tier.BLUE
    assert triage_latest("菜市场摊主之间发生口角,双方均未动手。").tier is Tier.BLUE


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("工地现场无人受伤,但包工头持刀威胁工人。", "extreme"),  # 但 ends the negation
        ("不排除对方报复的可能。", "extreme"),  # 不排除 = cannot be ruled out
        ("未成年人被同学殴打。", "injury"),  # 未 inside 未成年 is no negator
        ("村民无故殴打邻居。", "injury"),  # 无故 = without reason
        ("子女没有赡养老人。", "vulnerable"),  # the elderly party is still there
        ("自杀未遂被家人发现。", "extreme"),  # a negator after the mention denies nothing
        ("他说绝对会报复。", "extreme"),  # 绝对 affirms
    ],
)
def test_a_negator_that_does_not_deny_the_mention_leaves_it_firing(text: str, rule: str) -> None:
    assert rule in triage_latest(text).rule_ids


def test_a_party_is_denied_only_by_a_negator_right_before_it() -> None:
    result = triage_latest("家中没有老人和小孩。")
    assert "vulnerable" not in result.rule_ids
    assert {a.text for a in result.set_aside} == {"老人", "小孩"}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("工人们说只要月底能发工资,就不会去北京上访。", "petition"),
        ("女方说如果男方同意离婚,她就不会寻短见。", "extreme"),
        ("欠款人被债主恐吓,说再不还钱就…要他的命。", "extreme"),
        ("工人们说如果月底再不发工资,就去北京讨说法。", "petition"),
    ],
)
def test_conditional_threats_fire_even_when_said_as_a_denial(text: str, rule: str) -> None:
    result = triage_latest(text)
    assert rule in result.rule_ids and result.tier is Tier.RED


def test_a_worry_about_an_event_is_not_the_event_but_a_feared_threat_is_a_threat() -> None:
    worry = triage_latest("居民反映井盖松动,担心孩子掉下去受伤。")
    assert "injury" not in worry.rule_ids and "vulnerable" in worry.rule_ids
    assert "extreme" in triage_latest("举报人担心被对方报复。").rule_ids


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("楼上装修天天吵,居民说快被气死了。", "severe_harm"),  # 气死|了 holds no 死了
        ("邻居晚上打麻将,经常被打扰。", "injury"),  # 被|打扰 holds no 被打
        ("邻居家的狗被人用药毒死了。", "severe_harm"),
        ("因极端天气导致大棚倒塌。", "extreme"),  # not_words: 极端天气
        ("患者动手术后伤口感染。", "injury"),  # not_words: 动手术
        ("经调解员反复劝说,双方达成协议。", "repeat"),
        ("大学生租房押金不退。", "vulnerable"),
    ],
)
def test_a_word_inside_another_word_does_not_fire(text: str, rule: str) -> None:
    assert rule not in triage_latest(text).rule_ids
    assert rule in triage(text).rule_ids, "v1 fires on the bare substring"


def test_a_word_cut_whole_by_segmentation_still_fires() -> None:
    assert "injury" in triage_latest("他被打伤了。").rule_ids
    assert "vulnerable" in triage_latest("五保户反映房屋漏雨。").rule_ids
    assert "vulnerable" in triage_latest("独居老人再次反映。").rule_ids


def test_v2_results_pin_their_version() -> None:
    assert triage_latest("噪音扰民").ruleset_version == "v4"
    assert triage("噪音扰民").ruleset_version == "v1"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("邻居报销汽油费起了争执。", "extreme"),
        ("孩子从滑梯上跳下来,家长说滑梯太高。", "extreme"),
        ("楼上装修导致楼下墙体开裂。", "injury"),
        ("家里的院墙被人推倒了一段。", "injury"),
        ("患者第二次手术后仍不见好转。", "repeat"),
        ("施工造成交通瘫痪,商户要求赔偿。", "vulnerable"),
        ("邻居养的一大群鸽子弄脏阳台。", "mass"),
        ("两家公司因合同纠纷争执。", "neighbour"),
    ],
)
def test_everyday_phrases_that_resemble_a_signal_do_not_fire(text: str, rule: str) -> None:
    result = triage_latest(text)
    assert rule not in result.rule_ids and result.category.value != rule
