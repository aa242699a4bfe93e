"""The particulars that tell one incident from another told alike (pure, no I/O).

Two reports of one incident share its particulars even when the callers choose other words;
two incidents told alike differ in one: another building (3幢 / 7幢), another room (501 /
302), another village group (三组 / 五组), another family (周家 / 孙家), another count of
people or months (二十几个工人 / 七八个工人, 三个月 / 两个月), another part of the day (今天早上 /
昨天晚上), another one hurt (a child / chickens, a pupil / an old man). Chinese numerals
are read as numbers first (三幢 = 3幢), and the boilerplate of hotline and grid-worker
write-ups (来电人反映, 网格员上报, 要求协调处理) is dropped, since it says nothing about the
incident.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.triage.numerals import chinese_to_int, read_quantities

MAX_TEXT = 600
"""Characters of a report considered; a longer account is cut (every input is bounded)."""

_BOILERPLATE = re.compile(
    "|".join(
        sorted(
            (
                "来电人反映", "来电人称", "来电人系", "来电反映", "市民反映", "群众反映",
                "网格员上报", "网格员报告", "网格员巡查发现", "网格员走访发现", "消费者反映",
                "消费者称", "反映", "诉求", "要求", "请求", "麻烦", "相关部门", "协调处理",
                "协调", "处理", "派人", "管一管", "管管", "你好", "您好", "请",
            ),
            key=len,
            reverse=True,
        )
    )
)  # fmt: skip
SMALL_COUNT = 2
"""Counts of people up to this never clash."""
_CN_DIGITS = "零〇一二两三四五六七八九十百"
_CLASSIFIER = "号楼|幢|栋|单元|村民小组|组|室|岁|个月"
_CN_NUMBER = re.compile(rf"(?<![{_CN_DIGITS}])[{_CN_DIGITS}]+(?={_CLASSIFIER})")
_BUILDING = re.compile(r"(\d+)(?:号楼|幢|栋)")
_ENTRANCE = re.compile(r"(\d+)单元")
_ROOM = re.compile(r"(?<![\d.])([1-9]\d{2,3})(?![\d.]|元|块|年|米|亩|斤|万|岁|多|余|名|人|户)")
_GROUP = re.compile(r"(\d+)(?:村民小组|组)")
_MONTHS = re.compile(r"(\d+)个月")
_AGE = re.compile(r"(\d+)多?岁")
# Common surnames, leaving out those that are also everyday words before 家 (那家, 全家).
_SURNAMES = (
    "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏窦章苏潘葛"
    "范彭鲁韦马苗花俞任袁柳酆鲍史唐费薛雷贺倪汤殷罗毕郝邬常于傅卞齐康伍余顾孟黄穆萧尹"
    "姚邵汪祁毛狄臧戴宋茅庞熊舒屈项祝董梁杜阮蓝闵季贾娄江童颜郭盛林钟徐邱骆高夏蔡樊胡"
    "凌霍虞柯卢莫裘缪丁宣邓郁洪包左崔龚程邢裴陆翁荀甄芮储靳焦侯宁栾武符刘詹龙叶黎白蒲"
    "赖卓屠乔谭翟桂牛寿燕浦尚温庄晏柴瞿阎廖耿匡寇聂曾沙鞠"
)
_FAMILY = re.compile(
    rf"([{_SURNAMES}])(?:家|某|姓|阿婆|老太|老伯|老头|师傅)|老([{_SURNAMES}])(?![病子家])"
)
# A school class (小三班, 中一班, 四年级二班) and a building trade (木工 / 钢筋工): two crews or
# two classes are two incidents even when everything else is told alike.
_CLASS = re.compile(r"([小中大]|\d年级|[一二三四五六七八九]年级)([一二三四五六七八九\d])班")
_TRADE = re.compile(r"(木工|钢筋工|泥水工|泥工|瓦工|电工|焊工|油漆工|水电工|架子工|小工)")
_WORKS = re.compile(
    r"(服装|鞋|袜|五金|电子|纸|塑料|家具|石材|化工|印染|食品|木材|砖|水泥|针织|纺织|机械|汽配|包装"
    r"|玩具|珍珠|茶|竹制品|酒)(?:加工)?(?:厂|作坊)"
)
# Who or what was hurt: the object of a harm (咬伤一名小学生, 撞倒一名老年人, 咬死了七八只鸡) or
# the one that 被 was done to (孩子被狗咬了). A dog that bit a child and the same dog that
# killed chickens, a taxi that hit a pupil and an e-bike that hit an old man at one school
# gate, are two incidents told alike.
_HARMED = {
    "child": "小孩|孩子|小学生|学生|儿子|女儿|孙子|孙女|小朋友|幼儿|男孩|女孩|儿童",
    "elder": "老人|老年|老太|老头|老伯|大爷|大妈|阿婆|老爷子|奶奶|爷爷",
    "animal": "鸡|鸭|鹅|家禽|羊|猪|牛|狗|猫",
    "vehicle": "车",
    "adult": "外卖员|快递员|骑手|小伙|男子|女子|男的|女的|路人|行人|司机|服务员|顾客|妇女",
}
_HARM = (
    r"(?:咬|撞|砸|打|推|踢|扑)(?:伤|倒|死|破|翻|到)?了?"
    r"(?:[一两二三四五六七八九十几\d]+[名个位只条头辆])?(?:[^，。；、！？]{0,6}的)?"
)
# ... or the one 把 / 将 puts first (把一个送外卖的小伙子腿咬了, 将其饲养的猫咬死).
_HARM_AFTER = r"[^，。；、！？]{0,6}?(?:咬|撞|砸|打|推|踢|扑|夹|烫|刮|剐|轧|压)"
_HARMED_BY = {
    who: re.compile(
        f"{_HARM}(?:{words})|(?:{words})[^，。；、！？]{{0,6}}?被"
        f"|[把将][^，。；、！？]{{0,8}}?(?:{words}){_HARM_AFTER}"
    )
    for who, words in _HARMED.items()
}
# 凌晨 is both: a caller calls the small hours night (今天凌晨两点), a write-up morning (今晨两时).
_DAY_PARTS = {
    "morning": re.compile(r"早上|今早|今晨|清晨|上午|早晨|凌晨"),
    "afternoon": re.compile(r"下午|午后"),
    "evening": re.compile(r"晚上|昨晚|前晚|夜里|夜间|半夜|凌晨|深夜|傍晚|黄昏"),
}
# Days named relative to the report, as days before it; only two days or more apart is a
# clash (a caller at night says 今天凌晨 where one the next morning says 昨晚 about the same
# fight; 昨天 and 上个礼拜 are two incidents unless an account names both).
_DAYS = {
    0: re.compile(r"今天|今晨|今早|今日|刚才|刚刚"),
    1: re.compile(r"昨天|昨日|昨晚|昨夜"),
    2: re.compile(r"前天|前晚|前日"),
    7: re.compile(r"上周|上个?礼拜|上个?星期|上个?月|去年"),
}


@dataclass(frozen=True, slots=True)
class Details:
    """The particulars one report gives; each field is empty when the report gives none."""

    buildings: frozenset[int]
    entrances: frozenset[int]
    rooms: frozenset[int]
    groups: frozenset[int]
    families: frozenset[str]
    classes: frozenset[str]
    trades: frozenset[str]
    works: frozenset[str]
    months: frozenset[int]
    ages: frozenset[int]
    counts: tuple[tuple[int, bool], ...]
    """People or households counted, each with whether the count is vague (几十户, 一帮人)."""
    day_parts: frozenset[str]
    days: frozenset[int]
    """Days before the report named (今天 0, 昨天 1, 前天 2, 上周 or earlier 7)."""
    harmed: frozenset[str]
    """Who or what was hurt: child, elder, animal, vehicle."""


def _numbers(pattern: re.Pattern[str], text: str) -> frozenset[int]:
    return frozenset(int(match) for match in pattern.findall(text))


def _arabic(match: re.Match[str]) -> str:
    value = chinese_to_int(match.group(0))
    return str(value) if value is not None else match.group(0)


def normalise(text: str) -> str:
    """Full-width folded, Chinese numerals before a classifier read, boilerplate dropped."""
    folded = unicodedata.normalize("NFKC", text[:MAX_TEXT])
    return _BOILERPLATE.sub(" ", _CN_NUMBER.sub(_arabic, folded))


def details_of(text: str) -> Details:
    """The particulars of a normalised text."""
    counts, _ = read_quantities(text)
    return Details(
        buildings=_numbers(_BUILDING, text),
        entrances=_numbers(_ENTRANCE, text),
        rooms=_numbers(_ROOM, text),
        groups=_numbers(_GROUP, text),
        families=frozenset("".join(names) for names in _FAMILY.findall(text)),
        classes=frozenset("".join(found) for found in _CLASS.findall(text)),
        trades=frozenset(_TRADE.findall(text)),
        works=frozenset(_WORKS.findall(text)),
        months=_numbers(_MONTHS, text),
        ages=_numbers(_AGE, text),
        counts=tuple((q.value, q.text[:1] in "几数上" or "几" in q.text) for q in counts),
        day_parts=frozenset(part for part, words in _DAY_PARTS.items() if words.search(text)),
        days=frozenset(day for day, words in _DAYS.items() if words.search(text)),
        harmed=frozenset(who for who, words in _HARMED_BY.items() if words.search(text)),
    )


def _clash(one: frozenset[int] | frozenset[str], other: frozenset[int] | frozenset[str]) -> bool:
    return bool(one) and bool(other) and not one & other


def _counts_agree(one: tuple[tuple[int, bool], ...], other: tuple[tuple[int, bool], ...]) -> bool:
    """Counts of people agree unless both are firm and far apart; one or two people are often
    someone met along the way (一位老人, 两户邻居), not the people the incident is about."""
    if not one or not other:
        return True
    return any(
        vague_a or vague_b or min(a, b) <= SMALL_COUNT or max(a, b) <= 1.6 * min(a, b)
        for a, vague_a in one
        for b, vague_b in other
    )


def _rooms_clash(one: frozenset[int], other: frozenset[int]) -> bool:
    """Other rooms, unless one is right above the other (1201 / 1101): a caller names his own
    room, the write-up the room the leak or the noise comes from."""
    return _clash(one, other) and not any(abs(a - b) == 100 for a in one for b in other)


def _days_apart(one: frozenset[int], other: frozenset[int]) -> bool:
    return bool(one) and bool(other) and all(abs(a - b) >= 2 for a in one for b in other)


def _ages_agree(one: frozenset[int], other: frozenset[int]) -> bool:
    return not one or not other or any(abs(a - b) <= 9 for a in one for b in other)


def conflicts(one: Details, other: Details) -> int:
    """How many kinds of particular the two reports both give and disagree on."""
    clashes = (
        _clash(one.buildings, other.buildings),
        _clash(one.entrances, other.entrances),
        _rooms_clash(one.rooms, other.rooms),
        _clash(one.groups, other.groups),
        _clash(one.families, other.families),
        _clash(one.classes, other.classes),
        _clash(one.trades, other.trades),
        _clash(one.works, other.works),
        _clash(one.months, other.months),
        _clash(one.day_parts, other.day_parts),
        _days_apart(one.days, other.days),
        _clash(one.harmed, other.harmed),
        not _ages_agree(one.ages, other.ages),
        not _counts_agree(one.counts, other.counts),
    )
    return sum(clashes)


def agreements(one: Details, other: Details) -> int:
    """How many kinds of particular the two reports both give and agree on (3幢 and 三幢)."""
    shared = (
        one.buildings & other.buildings,
        one.rooms & other.rooms,
        one.groups & other.groups,
        one.families & other.families,
        one.classes & other.classes,
    )
    return sum(bool(values) for values in shared)
