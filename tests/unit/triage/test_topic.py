"""Rule set v2 tells a vulnerable party from a topic: a child or an elderly person named only
as what other people quarrel about (因为孩子的学费问题吵架) is not a party, and the
explanation says so; one the same words show deprived of support or care, or harmed, still
is. v1 (words alone) is unchanged."""

from __future__ import annotations

import pytest

from shared.vocabulary import Tier
from tests.unit.triage.conftest import triage, triage_latest


@pytest.mark.parametrize(
    ("text", "mention", "frame"),
    [
        ("老公和老婆因为孩子的学费问题吵架。", "孩子", "因为…吵"),
        ("小两口为了孩子报补习班的事拌嘴。", "孩子", "为了…拌嘴"),
        ("夫妻双方就孩子的教育问题发生争执。", "孩子", "就…争"),
        ("因为孩子的姓氏,两人闹起了矛盾。", "孩子", "因为…闹"),
    ],
)
def test_a_vulnerable_word_that_is_only_the_topic_of_a_quarrel_is_no_party(
    text: str, mention: str, frame: str
) -> None:
    result = triage_latest(text)

    assert "vulnerable" not in result.rule_ids and result.tier is Tier.BLUE
    assert ("vulnerable", mention, frame) in {(a.rule, a.text, a.because) for a in result.set_aside}
    assert f"set aside vulnerable: “{mention}” only the topic of “{frame}”" in result.explanation
    assert "vulnerable" in triage(text).rule_ids, "v1 reads words alone and still fires"


@pytest.mark.parametrize(
    "text",
    [
        "家长因孩子被同学打伤一事与学校争执。",  # harmed
        "双方因孩子的生活费没给到位吵了起来。",  # deprived of support
        "兄弟几个为老人没人照顾的事吵了起来。",  # deprived of care
        "因为孩子的抚养费一直不给,两人吵到了社区。",  # the quarrel in the next clause
        "孩子的父亲不给抚养费,双方为此争吵。",  # no topic frame at all
    ],
)
def test_a_vulnerable_person_deprived_or_harmed_is_still_a_party(text: str) -> None:
    result = triage_latest(text)
    assert "vulnerable" in result.rule_ids and result.tier is not Tier.BLUE


def test_the_frame_does_not_reach_past_other_words() -> None:
    """Only a marker right before the word opens a topic (two words at most between)."""
    assert "vulnerable" in triage_latest("因为邻居在楼道里吓到了家里的孩子,两家吵了起来。").rule_ids
