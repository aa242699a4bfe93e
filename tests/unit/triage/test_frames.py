"""Rule set v4 reads how a report frames a signal (docs/triage.md, "The fifth round"): an
open question, a negator after the mention or at the end of a longer word, a worry over a
whole clause, a precaution, 非…不可, a threat not meant or a blow held back, a push where
harm is ruled out, an amount said only to be denied, a simile, a tool carried for work, 反复
said of speaking; and it counts siblings before their kin word (三兄弟). Each report below is read
wrongly by v3 (asserted too), so each test fails without the v4 reading."""

from __future__ import annotations

import pytest

from tests.unit.triage.conftest import triage

CHANGED = [
    ("对方有没有动手他也说不清。", "yellow", "blue", "有没有"),
    ("男方矢口否认对妻子动粗。", "yellow", "blue", "矢口否认"),
    ("两人为车位吵了起来，受伤倒是没有。", "yellow", "blue", "没有"),
    ("社区担心两家积怨太深哪天打起来。", "yellow", "blue", "担心"),
    ("为防止出现群体聚集，镇里派了人值守。", "red", "blue", "防止出现"),
    ("他说要一把火烧了对方的店，大家都知道他是说着玩的。", "red", "blue", "说着玩"),
    ("他恨不得揍对方一顿，好歹忍住了没下手。", "yellow", "blue", "忍住"),
    ("双方互有推搡，未见明显外伤。", "yellow", "blue", "no harm"),
    ("欠款并非网上说的二十万，实际只有两千。", "red", "blue", "并非"),
    ("两个大男人闹得跟孩子似的，谁也不让谁。", "yellow", "blue", None),
    ("他拿斧头是去劈柴，没冲人去。", "red", "blue", None),
    ("他反复跟调解员强调自己没错，两家为车位吵。", "yellow", "blue", None),
    ("三兄弟为老房子归谁吵得不可开交。", "blue", "yellow", None),
    ("要是当时他在场，两人肯定得打起来。", "yellow", "blue", "要是"),
    ("他那句“弄死你”是喝酒时的玩笑话。", "red", "blue", "玩笑"),
    ("听说矿上出了人命，镇里核实后说没死人，就是塌了一段巷道。", "red", "blue", "就是"),
    ("他原先嚷嚷着要进京，儿子劝了一晚上，第二天说不折腾了。", "red", "blue", "不折腾了"),
]


@pytest.mark.parametrize(("text", "before", "after", "because"), CHANGED)
def test_v4_reads_what_the_report_frames(
    text: str, before: str, after: str, because: str | None
) -> None:
    assert triage(text, version="v3").tier.value == before
    result = triage(text, version="v4")
    assert result.tier.value == after, result.explanation
    if because is not None:
        assert any(because in a.because for a in result.set_aside), result.explanation


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("他说下次见着他非捅他几刀不可。", "extreme"),  # 非…不可: must, not "not"
        ("两人扭打在一起，他被推了一把摔伤了。", "injury"),  # harm not ruled out
        ("他说要一把火烧了对方的店，没人当是玩笑。", "extreme"),
        ("只要补偿款不到位，我们就去北京上访，防止不了。", "petition"),
        ("担心他想不开，家里人一直陪着。", "extreme"),  # a feared threat to life counts
        ("两家因为孩子似的小事吵，老人被推倒摔伤了。", "vulnerable"),
        ("老人说子女再不管他，他就吊死算了。", "extreme"),  # 算了 here is despair
        ("如果有人劝阻，他们就不会打起来了。", "injury"),  # hindsight, as v3 reads it
    ],
)
def test_v4_keeps_what_is_said_to_be_so(text: str, rule: str) -> None:
    result = triage(text, version="v4")
    assert rule in result.rule_ids, result.explanation


def test_an_amount_set_aside_is_named_and_another_still_counts() -> None:
    result = triage("欠款不是八万，是三万二。", version="v4")
    assert "money_mid" in result.rule_ids and "money_high" not in result.rule_ids
    assert "set aside amount: “八万” ruled out by “不是”" in result.explanation


def test_the_released_versions_keep_their_reading() -> None:
    for version in ("v2", "v3"):
        assert triage("男方矢口否认对妻子动粗。", version=version).tier.value == "yellow"
