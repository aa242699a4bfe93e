"""Counts of people or households and money amounts, as Chinese reports write them.

Arabic, full-width and Chinese numerals (两, 廿, 卅, 大写 such as 叁万), units 万/千/百/亿,
decimals, ranges (七八户 -> 7), and approximations (多 余 来 几 左右 约 上百 数十):
the lower bound is taken, so 三十多名 -> 30, 十几户 -> 10, 12万多 -> 120,000. With
``upper_bounds`` (rule set v3 on), an upper bound (不到 不足 不满 低于 …) is just below its
number: 不到一万元 -> 9,999, 不足十户 -> 9; without it, the number itself. With
``spoken`` (rule set v3 on), numbers as people say them are read too: 仨 is 三个, 上/数 before a
digit that is not a round number is a place (楼上三户 -> 3), 号 counts people after an
approximation (四十来号工人 -> 40), and a flat number (5号楼402, 402与502) is no count.
Numerals are converted by cn2an. A count needs a people or household classifier
(名 人 户 位 家 个, but not 个月 or 个小时); days, months, floors and the like are not counts.
A number is money with 元/块 after it, or with 万/亿 and no people classifier ("十五万").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_DIGIT_CHARS = "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟廿卅"
_SINGLE = "一二两三四五六七八九"
_NUMBER = rf"(?:[0-9]+(?:\.[0-9]+)?|[上数几]?[{_DIGIT_CHARS}几]+)"
_PATTERN = re.compile(
    rf"(?P<below>不到|不足|不满|未满|低于|少于|没到|没有)?(?P<pre>约|近|大约|将近)?(?P<num>{_NUMBER})(?P<mag>[万亿]?)(?P<approx>多|余|来|几)?"
    rf"(?P<mag2>[万亿]?)(?P<approx2>多|余)?"
    r"(?P<unit>名|人|户|位|家|个(?!月|小时|星期|工作日|多月)|元|块|万元)?"
)
_HAO = re.compile(
    rf"(?P<num>{_NUMBER})(?P<approx>多|余|来|几)号(?=人|工人|村民|业主|农民工|群众|老乡|家属)"
)
_FLAT = re.compile(
    r"(?:号楼|栋|幢|单元)([0-9]{3,4})|([0-9]{3,4})(?=室|号房|与[0-9]|和[0-9]|、[0-9])"
)
_THREE_DIGITS = re.compile("[0-9]{3}")
_KIN = re.compile(
    r"(?<![第0-9零〇一二两三四五六七八九十百千])([2-9二两三四五六七八九])(兄弟|姐妹|兄妹|姐弟|妯娌|连襟)"
)
_PEOPLE = {"名", "人", "户", "位", "家", "个"}
_MONEY = {"元", "块", "万元"}
_MAGNITUDE = {"万": 10_000, "亿": 100_000_000, "": 1}


@dataclass(frozen=True)
class Quantity:
    text: str
    """The words in the report, e.g. 三十多名."""
    value: int


@functools.lru_cache(maxsize=4096)
def chinese_to_int(numeral: str) -> int | None:
    """Convert one Chinese numeral run, resolving ranges and approximation words (kept for
    the numerals met most: reports say the same few, and cn2an checks its input at length)."""
    text = numeral.replace("廿", "二十").replace("卅", "三十")
    if text[:1] in "上数几":  # 上百 -> 一百, 数十/几十 -> 一十
        text = "一" + text[1:]
    text = text.replace("几", "")
    if len(text) >= 2 and text[0] in _SINGLE and text[1] in _SINGLE and text[0] != text[1]:
        text = text[0] + text[2:]  # 七八 -> 七, 三四十 -> 三十
    if not text:
        return None
    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _base_value(number: str, *, spoken: bool = False) -> Decimal | None:
    if number[0].isdigit():
        try:
            return Decimal(number)
        except InvalidOperation:
            return None
    if spoken and number[0] in "上数" and number[1:2] not in "十百千万":
        number = number[1:]  # 楼上三户: 上 says where, as it does not in 上百
    value = chinese_to_int(number) if number else None
    return Decimal(value) if value is not None else None


def _spoken_counts(text: str) -> list[Quantity]:
    """Counts with 号 after an approximation (四十来号工人, 几十号人)."""
    found = []
    for match in _HAO.finditer(text):
        value = _base_value(match["num"], spoken=True)
        if value is not None:
            found.append(Quantity(match.group(0), int(value)))
    return found


def _flats(text: str) -> set[str]:
    """Flat numbers (5号楼402, 402室, 402与502): the same digits elsewhere are no count."""
    return {a or b for a, b in _FLAT.findall(text)}


def read_quantities(
    text: str, *, upper_bounds: bool = True, spoken: bool = False, kin: bool = False
) -> tuple[list[Quantity], list[Quantity]]:
    """All (counts of people or households, money amounts in CNY) found in ``text``; with
    ``kin`` (rule set v4), siblings counted before their kin word too (三兄弟 -> 3)."""
    counts: list[Quantity] = []
    if kin:
        counts += [
            Quantity(m.group(0), int(_base_value(m[1], spoken=True) or 0))
            for m in _KIN.finditer(text)
        ]
    amounts: list[Quantity] = []
    text = text.translate(_FULL_WIDTH)
    flats: set[str] = set()
    if spoken:
        text = text.replace("仨", "三个")
        counts += _spoken_counts(text) if "号" in text else []
        flats = _flats(text) if _THREE_DIGITS.search(text) else set()
    for match in _PATTERN.finditer(text):
        unit = match["unit"] or ""
        magnitude = match["mag"] or match["mag2"] or ("万" if unit == "万元" else "")
        if not unit and not magnitude:
            continue
        base = _base_value(match["num"], spoken=spoken)
        if base is None or match["num"] in flats:
            continue
        value = int(base * _MAGNITUDE[magnitude]) - (1 if upper_bounds and match["below"] else 0)
        if unit in _PEOPLE and not magnitude:
            counts.append(Quantity(match.group(0), value))
        elif unit in _MONEY or (magnitude and unit not in _PEOPLE):
            amounts.append(Quantity(match.group(0), value))
    return counts, amounts
