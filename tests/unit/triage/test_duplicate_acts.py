"""The duplicate score tells incidents at one place apart by what happened (事件经过): another
damage by the same decorators, another theft in the same grove, another harm in the same class
or lift, another one bitten by the same dog, another day, are two incidents however alike they
are told; one incident retold in other words is still folded."""

from __future__ import annotations

import pytest

from services.triage.duplicates.details import conflicts, details_of, normalise
from services.triage.duplicates.similarity import FOLD_THRESHOLD, ReportSketch, similarity

GRID = "330681001002001"
NEIGHBOUR = "330681001002002"


def caller(text: str, unit_code: str = GRID) -> ReportSketch:
    return ReportSketch(text, "neighbour", unit_code)


TWO_INCIDENTS = {
    "the same decorators, another damage": (
        "隔壁装修把我家墙打穿了\n新苑3幢隔壁装修，今天上午电钻把我家卧室的墙打了个洞，灰掉了一床。",
        "隔壁装修工人把电梯撞坏了\n新苑3幢隔壁装修，昨天工人运瓷砖把电梯门撞坏了，整栋楼电梯都停了。",
    ),
    "the same bamboo grove, another theft": (
        "有人偷挖我家竹笋\n后山我家承包的竹林，这几天天天有人去挖笋，昨天去看被挖了一大片。",
        "有人偷砍我家毛竹\n后山我家承包的竹林，上个礼拜有人砍了二十几根毛竹拉走了，只剩竹桩。",
    ),
    "the same lift, another harm": (
        "电梯把人关里面了\n8幢的电梯今天中午停在半中间，我爸被关在里面半个多小时。",
        "电梯门夹了孩子\n8幢的电梯门关得太快，今天中午把楼上一个孩子的胳膊夹青了。",
    ),
    "the same class, another harm": (
        "孩子在幼儿园被罚站\n阳光幼儿园中二班的老师昨天让我女儿在门口站了一上午，就因为午睡没睡着。",
        "孩子在幼儿园被咬了\n阳光幼儿园中二班，今天我儿子脸上被别的小朋友咬了一口，老师都没说。",
    ),
}


@pytest.mark.parametrize("name", sorted(TWO_INCIDENTS))
def test_another_incident_at_the_same_place_told_alike_is_not_folded(name: str) -> None:
    one, other = TWO_INCIDENTS[name]
    assert similarity(caller(one), caller(other)) < FOLD_THRESHOLD


def test_one_incident_told_by_a_caller_and_a_write_up_is_still_folded() -> None:
    told = caller("电梯把人关里面了\n8幢的电梯今天中午停在半中间，我爸被关在里面半个多小时。")
    written = caller(
        "电梯困人\n来电人反映：8幢电梯今日中午故障停运，其父被困轿厢内约半小时，要求物业检修。",
        NEIGHBOUR,
    )
    assert similarity(told, written) >= FOLD_THRESHOLD


def test_the_one_put_first_by_ba_is_the_one_hurt() -> None:
    passer_by = details_of(normalise("那条黑狗把一个送外卖的小伙子腿咬了"))
    cat = details_of(normalise("那条黑狗把我养的猫咬死了"))
    assert passer_by.harmed == {"adult"} and cat.harmed == {"animal"}
    assert conflicts(passer_by, cat) == 1


def test_yesterday_and_last_week_clash_but_today_and_last_night_do_not() -> None:
    def apart(one: str, other: str) -> int:
        return conflicts(details_of(normalise(one)), details_of(normalise(other)))

    assert apart("昨天有人砍了毛竹", "上个礼拜有人砍了毛竹") == 1
    assert apart("今天凌晨两点打起来了", "昨晚两点打起来了") == 0
    assert apart("上个月充了一千块，今天去店关门了", "上月充值一千元，现店铺关门") == 0
