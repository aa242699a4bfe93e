"""Reading counts and amounts the way Chinese reports write them."""

from __future__ import annotations

import pytest

from services.triage.numerals import read_quantities


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("三十多名工人", 30),
        ("十几户业主", 10),
        ("七八户人家", 7),
        ("五十余户村民", 50),
        ("32名农民工", 32),
        ("涉及员工6人", 6),
        ("两户村民", 2),
        ("１２名群众", 12),
        ("廿户", 20),
        ("卅人", 30),
        ("上百人", 100),
        ("数十名", 10),
        ("几十户", 10),
        ("一百二十余人", 120),
        ("30多名", 30),
        ("三四十个人", 30),
        ("8位老人", 8),
        ("三家商户", 3),
        ("二十来人", 20),
    ],
)
def test_counts_of_people_and_households(text: str, count: int) -> None:
    counts, _ = read_quantities(text)
    assert [q.value for q in counts] == [count]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("15万元", 150_000),
        ("1.2万", 12_000),
        ("两千块", 2_000),
        ("十五万", 150_000),
        ("12万多", 120_000),
        ("叁万元", 30_000),
        ("3500元", 3_500),
        ("约4万元", 40_000),
        ("28万元", 280_000),
        ("十几万元", 100_000),
        ("１．５万元", 15_000),
        ("2亿", 200_000_000),
        ("八千元左右", 8_000),
        ("伍仟元", 5_000),
    ],
)
def test_money_amounts(text: str, amount: int) -> None:
    _, amounts = read_quantities(text)
    assert [q.value for q in amounts] == [amount]


@pytest.mark.parametrize(
    "text", ["拖欠工资3个月", "住在三楼", "连续一周", "第1网格", "两年前", "开会3次", "三个小时"]
)
def test_days_months_floors_and_ordinals_are_not_counts_or_money(text: str) -> None:
    assert read_quantities(text) == ([], [])
