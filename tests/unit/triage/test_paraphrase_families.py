"""Rule set v2 recognises each rule of RULES.md §2 in the forms callers and grid workers use
(threats to life, self-harm said indirectly, petition threats without 上访, injuries by their
outcome, kinship words and ages, repeat reports counted in 回/趟, colloquial amounts, category
words beyond the list), denies them in the forms people deny them, and does not fire on words
that name someone or something else (老人机, 学生家长, 孩子他爸, 杀猪, 打折)."""

from __future__ import annotations

import pytest

from services.triage.ruleset import load_ruleset
from tests.unit.triage.conftest import triage, triage_latest

FIRES = [
    ("邻居家的狗每天晚上叫到深夜，楼上住户扬言要杀了狗主人。", "extreme"),
    ("债主说三天内不还钱，就让他家破人亡。", "extreme"),
    ("两家因宅基地边界吵了多年，男方放话要让对方全家偿命。", "extreme"),
    ("两人在菜市场为摊位争执，一方拿出水果刀比划。", "extreme"),
    ("老人说儿子再不管他，他就去卧轨。", "extreme"),
    ("女子在电话里哭着说活够了，已经写好了遗言。", "extreme"),
    ("女孩和男友分手后在朋友圈说不想再活下去了。", "extreme"),
    ("被征地农户说补偿不到位就往上告，一直告到北京。", "petition"),
    ("工人们说再拖欠工资就去市里讨说法。", "petition"),
    ("十几户拆迁户商量着一起进京。", "petition"),
    ("一百多号人围在镇政府门口讨要土地补偿款。", "mass"),
    ("近百名业主拉着条幅在售楼处维权。", "mass"),
    ("电动车与货车相撞，骑车人命没保住。", "severe_harm"),
    ("男子被打成颅骨骨折，至今深度昏迷。", "severe_harm"),
    ("两人因停车位吵起来，男子被对方揍了一顿。", "injury"),
    ("婆媳吵架时婆婆的脸被抓花了。", "injury"),
    ("两人争执中男子打折了对方的胳膊。", "injury"),
    ("他被对方用棍子敲了几下。", "injury"),
    ("媳妇隔三差五挨老公打，娘家人来社区求助。", "risky_category"),
    ("年近九十的母亲无人赡养。", "vulnerable"),
    ("家中有一位八十三岁的老人卧床不起。", "vulnerable"),
    ("上初中的女儿被同学欺负。", "vulnerable"),
    ("这已经是该户第三回来反映楼上漏水了。", "repeat"),
    ("村民为地界问题跑了好几趟村委会。", "repeat"),
    ("居民说上个月就打过12345，噪音问题还在。", "repeat"),
    ("两人合伙做生意，一方卷走了20w。", "money_high"),
    ("邻居借了万把块钱一直不还。", "money_mid"),
    ("如果不是他先动手，我也不会还手。", "injury"),
]


@pytest.mark.parametrize(("text", "rule"), FIRES)
def test_the_signal_said_in_everyday_words_fires(text: str, rule: str) -> None:
    assert rule in triage_latest(text).rule_ids, triage_latest(text).explanation


@pytest.mark.parametrize(
    "text",
    [
        "村民杀猪时猪跑进邻居菜园，两家为此争吵。",
        "电脑中了病毒，店家说要杀毒收费五十元，顾客不满。",
        "顾客在超市买的老人机用了三天就坏了，要求退货。",
        "儿童乐园门口的小吃摊占道经营，居民投诉。",
        "学生家长群里两位家长因班里座位安排争吵。",
        "孩子他爸常年不回家，女方要求离婚。",
        "商家打折促销，顾客排队时发生口角。",
        "男子说被朋友骗了感情，很伤心。",
        "他们一起进京旅游，回来后因费用分摊吵架。",
        "网格员多次上门做工作，双方仍未达成一致。",
    ],
)
def test_a_word_that_names_something_else_raises_nothing(text: str) -> None:
    result = triage_latest(text)
    assert result.rules == (), result.explanation


@pytest.mark.parametrize(
    ("text", "rule", "negator"),
    [
        ("男方表示绝不会对女方动刀，只想好好谈。", "extreme", "绝不会"),
        ("村民只是抱怨几句，没打算去北京上访。", "petition", "没打算"),
        ("工人们打消了集体上访的念头。", "mass", "打消"),
        ("经核实，该户不在低保名单中。", "vulnerable", "不在"),
        ("经派出所调查，所谓砍人一事与事实不符。", "extreme", "与事实不符"),
        ("要是真打起来，谁来负责？", "injury", "要是"),
        ("是否有人受伤：无。", "injury", "无"),
        ("双方没有发生任何形式的肢体冲突。", "injury", "没有"),
        ("两人险些打起来，被邻居拉开。", "injury", "险些"),
        ("说他打人纯属造谣。", "injury", "造谣"),
        ("这次纠纷不属于家暴。", "risky_category", "不属于"),
        ("人员伤亡情况：没有；现场秩序：正常。", "severe_harm", "没有"),
    ],
)
def test_a_denial_in_the_forms_people_use_sets_the_signal_aside(
    text: str, rule: str, negator: str
) -> None:
    result = triage_latest(text)
    assert rule not in result.rule_ids
    assert negator in {a.because for a in result.set_aside}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("孩子从滑梯上往下跳时摔了一跤。", "extreme"),
        ("老伴去世后，子女都不管老人。", "severe_harm"),
        ("业主自己动手装修阳台，物业说违规。", "injury"),
        ("村委会挂横幅宣传防诈骗。", "mass"),
        ("他去北京找工作，临走前与父亲吵了一架。", "petition"),
        ("老人需要按时喝药，子女却不管。", "extreme"),
        ("村民跳河救人后，被救者家属拒绝感谢。", "extreme"),
    ],
)
def test_a_rule_word_inside_an_ordinary_event_does_not_fire(text: str, rule: str) -> None:
    assert rule not in triage_latest(text).rule_ids, triage_latest(text).explanation


def test_the_category_is_read_from_everyday_words() -> None:
    assert triage_latest("雇主拖欠保姆三个月的工钱。").category.value == "labour"
    assert triage_latest("村民在自留地边上盖猪圈，与邻居起争执。").category.value == "land"
    assert triage_latest("丈母娘嫌女婿不挣钱。").category.value == "marriage_family"
    assert triage_latest("村医给老人输液后出现过敏反应。").category.value == "medical"
    assert triage_latest("两户村民因为一块地的归属吵了起来。").category.value == "land"
    assert triage_latest("修高速要占村里的地，村民对赔偿不满。").category.value == "demolition"
    assert triage_latest("在工地上扎钢筋的老乡半年没拿到钱。").category.value == "labour"
    assert triage_latest("女儿出嫁后不回家看望父母。").category.value == "support"
    assert triage_latest("邻居家的地下室漏水。").category.value == "neighbour"


def test_an_amount_in_the_request_wins_over_a_colloquial_one_in_the_text() -> None:
    result = triage_latest("一方卷走了20w。", amount_cny=5000)
    assert "money_high" not in result.rule_ids


def test_rule_set_v1_stays_as_it_was() -> None:
    ruleset, _matcher = load_ruleset("v1")
    assert all(not rule.patterns for rule in ruleset.rules.values())
    assert triage("邻居家的狗每天晚上叫到深夜，楼上住户扬言要杀了狗主人。").rules == ()
