"""Reading a report's words in context (rule set v2 on): a mention that the text denies is
set aside, and a word that only appears inside another word does not count.

* Denial (RULES.md §2): a negator in the same clause before the mention (无 没有 未 并非 否认
  不会 排除 尚未 均未 …, cut as whole words so 未成年 and 无故 are not negators), at most
  ``max_gap`` words away and with no scope breaker (就 但 却 的 …) between; or a phrase
  after it in the clause (不属实 系谣言), or a denying answer after a colon (是否有人受伤：
  无). A negator right after 不/无法 is cancelled
  (不排除报复 = retaliation cannot be ruled out). Rules about a party (``entity_rules``:
  vulnerable) are denied only by a negator right before the mention (没有老人和小孩), so
  没有赡养老人 still names an elderly party.
* Conditionals: a threat is conditional by nature (再不还钱就要他的命 fires). A negator in a
  conditional's consequence (如果/只要 … 就不会 X) does not deny X: the speaker makes X
  depend on the condition (or, in hindsight, X happened), so X stands.
* Hypotheticals: a worry about an event (担心孩子受伤, 以免发生打架) sets aside the rules
  of ``hypothetical_rules`` (injury, severe harm); a feared threat (担心被报复) still fires.
* Topics: a party word (``topic_rules``: vulnerable) that is only what other people quarrel
  about (因为孩子的学费问题吵架: a marker right before it, a quarrel word after it in its clause
  or the next) is no party, unless the words between show the person deprived or harmed
  (``topic_party_words``: 不给 抚养费 没人管 被 伤 …): 因为孩子的抚养费不给吵架 still fires.
* Claims and lists (``denial.py``): a claim passed on (网传, 称, 听说) that a later clause of
  the sentence calls a rumour, or checks and corrects or denies, is set aside; so is a
  petition or gathering given up later (想通了); a negator continuing a list of denials (也没有)
  reaches a party across its description (也没有上学的孩子); category words naming a place or
  an event (医院, 交通事故) are read for denial too.
* Segmentation (jieba): a dictionary word whose match cuts into a word of the text does not
  count (气死了 does not hold 死了, 被打扰 does not hold 被打); ``not_words`` of a rule
  list longer words inside which its word means something else (极端天气, 大学生), and its
  ``not_patterns`` (rule set v3) the same said as patterns (咬死了三只鸡, 医生说).
* Someone else's story (``elsewhere.py``, rule set v3): 邻村…出了, 去年有个人, 新闻里 before
  a mention in its clause set it aside.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from services.triage.context import Clause, Mention, Reading
from services.triage.denial import denial, refuted
from services.triage.elsewhere import elsewhere
from services.triage.frames import no_harm
from services.triage.topics import topic

__all__ = ["Aside", "Clause", "Mention", "Reading", "clauses_for", "read"]


def clauses_for(text: str, mentions: list[Mention], reading: Reading) -> dict[int, Clause]:
    """Each mention's clause (by where the mention starts), cut into words once per clause."""
    spans = [(m.start(), m.end()) for m in re.finditer(reading.clause_pattern, text)]
    starts = [start for start, _end in spans]
    by_start: dict[int, Clause] = {}
    found: dict[int, Clause] = {}
    for mention in mentions:
        index = bisect_right(starts, mention.start) - 1
        start, end = spans[index] if index >= 0 else (0, 0)
        if start not in by_start:
            piece = text[start:end]
            by_start[start] = Clause(start, piece, reading.cut(piece))
        found[mention.start] = by_start[start]
    return found


@dataclass(frozen=True)
class Aside:
    """A mention that did not count: its rule, its words, and the words that deny it."""

    rule: str
    text: str
    because: str
    topic: bool = False
    counted: bool = True  # False: a word inside another word, neither counted nor named


SIGNALS = ("rule:", "combo1:", "combo2:")


def _masked(mention: Mention, masks: list[Mention]) -> bool:
    return any(
        mask.rule == mention.rule and mask.start <= mention.start and mention.end <= mask.end
        for mask in masks
    )


def _read_in_context(reading: Reading, mention: Mention) -> bool:
    """A rule's signal, or a category word naming a place or an event that a denial rules
    out (没有人被送去医院, 没发生交通事故)."""
    if mention.tag.startswith(SIGNALS):
        return True
    return mention.tag.startswith("category:") and mention.text in reading.deniable_category_words


def _named(mention: Mention) -> str:
    return f"category {mention.rule}" if mention.tag.startswith("category:") else mention.rule


def read(
    text: str, mentions: list[Mention], reading: Reading
) -> tuple[dict[str, list[str]], list[Aside]]:
    """Tag -> the distinct words that count for it, and the signals set aside."""
    masks = [m for m in mentions if m.tag.startswith("mask:")]
    kept = sorted(
        (m for m in mentions if not m.tag.startswith("mask:") and not _masked(m, masks)),
        key=lambda m: (m.start, -m.end),
    )
    read_here = [m for m in kept if _read_in_context(reading, m)]
    clauses = clauses_for(text, read_here, reading)
    same_rule: dict[str, set[str]] = {}
    for m in kept:
        same_rule.setdefault(m.rule, set()).add(m.text)
    reasons: dict[Mention, Aside] = {}
    for m in read_here:
        clause = clauses[m.start]
        inside = reading.segment and m.tag.startswith(SIGNALS) and not m.pattern
        if inside and clause.cuts_into_a_word(m):
            reasons[m] = Aside(m.rule, m.text, "", counted=False)
            continue
        because = denial(reading, text, clause, m, same_rule[m.rule]) or elsewhere(
            reading, text, clause, m
        )
        about = None if because else topic(reading, text, clause, m, same_rule[m.rule])
        if because is not None or about is not None:
            reasons[m] = Aside(_named(m), m.text, because or str(about), topic=about is not None)
    for m, because in refuted(reading, text, read_here, reasons).items():
        reasons[m] = Aside(_named(m), m.text, because)
    contacts = [
        m
        for m in read_here
        if m.rule == "injury"
        and m not in reasons
        and any(w in m.text for w in reading.mild_contacts)
    ]
    if contacts:
        denied = [f"{a.because}…{a.text}" for a in reasons.values() if a.rule == "injury"]
        for m, because in no_harm(reading, text, contacts, denied).items():
            reasons[m] = Aside(_named(m), m.text, because)
    found: dict[str, list[str]] = {}
    aside: list[Aside] = []
    for m in kept:
        reason = reasons.get(m)
        if reason is None:
            words = found.setdefault(m.tag, [])
            if m.text not in words:
                words.append(m.text)
        elif reason.counted and reason not in aside:
            aside.append(reason)
    return found, aside
