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
* Segmentation (jieba): a dictionary word whose match cuts into a word of the text does not
  count (气死了 does not hold 死了, 被打扰 does not hold 被打); ``not_words`` of a rule
  list longer words inside which its word means something else (极端天气, 大学生).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from services.triage.segment import Token, tokens


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: bool = True
    negators: list[str] = Field(min_length=1)
    post_negators: list[str] = Field(default_factory=list)
    verifications: list[str] = Field(default_factory=list)
    answers: list[str] = Field(default_factory=list)  # 是否有人受伤：无
    cancel_before: list[str] = Field(default_factory=list)
    scope_breakers: list[str] = Field(default_factory=list)
    entity_breakers: list[str] = Field(default_factory=list)  # break a party's scope only
    conditionals: list[str] = Field(default_factory=list)
    consequence_markers: list[str] = Field(default_factory=list)
    hypotheticals: list[str] = Field(default_factory=list)
    hypothetical_rules: list[str] = Field(default_factory=list)
    entity_rules: list[str] = Field(default_factory=list)
    joiners: list[str] = Field(default_factory=list)
    max_gap: int = Field(default=4, ge=0, le=10)
    topic_rules: list[str] = Field(default_factory=list)
    topic_markers: list[str] = Field(default_factory=list)
    topic_quarrels: list[str] = Field(default_factory=list)
    topic_party_words: list[str] = Field(default_factory=list)
    topic_gap: int = Field(default=2, ge=0, le=6)
    clause_marks: str = "，,。；;！!？?：:…\n"
    sentence_marks: str = "。；;！!？?\n"

    @property
    def clause_pattern_split(self) -> str:
        return f"[{re.escape(self.clause_marks)}]"

    @property
    def clause_pattern(self) -> str:  # a run of text between clause marks
        return f"[^{re.escape(self.clause_marks)}]+"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    tag: str
    pattern: bool = False

    @property
    def rule(self) -> str:
        return self.tag.split(":", 1)[1]


@dataclass(frozen=True)
class Clause:
    start: int
    text: str
    words: tuple[Token, ...]

    def before(self, mention: Mention) -> list[str]:
        return [w for w, _s, e in self.words if self.start + e <= mention.start]

    def cuts_into_a_word(self, mention: Mention) -> bool:
        """A word of the text takes the mention's first character (气死|了 for 死了).

        Only the start is checked: at the end, jieba often joins the last character to
        what follows (家|暴行|为, 砸|断了腿) though the mention is meant; a mention inside
        one longer word (拆迁 in 拆迁户) and end-side traps (被打扰) are ``not_words``."""
        lo, hi = mention.start - self.start, mention.end - self.start
        return any(s < lo < e < hi for _w, s, e in self.words)


def _conditional(reading: Reading, text: str, clause_start: int, earlier: list[str]) -> bool:
    """The negator follows 就/便/才 in a sentence that opens a condition (如果, 只要 …)."""
    if not earlier or earlier[-1] not in reading.consequence_markers:
        return False
    sentence_start = max(text.rfind(mark, 0, clause_start) for mark in reading.sentence_marks)
    opening = text[sentence_start + 1 : clause_start + sum(map(len, earlier))]
    return any(word in opening for word in reading.conditionals)


def _denied_after(reading: Reading, text: str, clause: Clause, mention: Mention) -> str | None:
    """A denying phrase later in the clause (打人一事不属实), or in the next clause of the
    sentence when that clause reports a check (有人喝农药, 经核实系谣言)."""
    end = clause.start + len(clause.text)
    after = text[mention.end : end]
    answer = _answer(reading, text, end)
    if answer is not None:
        return answer
    following = ""
    if end < len(text) and text[end] not in reading.sentence_marks:
        following = re.split(reading.clause_pattern_split, text[end + 1 :], maxsplit=1)[0]
        if not any(word in following for word in reading.verifications):
            following = ""
    for phrase in reading.post_negators:
        if phrase in after or phrase in following:
            return phrase
    return None


def _answer(reading: Reading, text: str, end: int) -> str | None:
    """The denying answer right after the colon that ends a clause (受伤情况：无), or None."""
    if end >= len(text) or text[end] not in "：:":
        return None
    reply = text[end + 1 :].lstrip()
    return next((word for word in reading.answers if reply.startswith(word)), None)


def _negator_inside(reading: Reading, text: str, clause: Clause, mention: Mention) -> str | None:
    """A negator within a pattern's match (丈夫没有殴打女方), unless conditional."""
    words = [w for w, _s, _e in clause.words]
    for index, (word, start, _end) in enumerate(clause.words):
        inside = mention.start < clause.start + start < mention.end
        if inside and word in reading.negators:
            cancelled = index > 0 and words[index - 1] in reading.cancel_before
            if cancelled or _conditional(reading, text, clause.start, words[:index]):
                return None
            return word
    return None


def denial(
    reading: Reading, text: str, clause: Clause, mention: Mention, same_rule: set[str]
) -> str | None:
    """The words that deny ``mention`` (a negator, a phrase after it, a worry), or None."""
    phrase = _denied_after(reading, text, clause, mention)
    if phrase is not None:
        return phrase
    if mention.pattern:
        inside = _negator_inside(reading, text, clause, mention)
        if inside is not None:
            return inside
    entity = mention.rule in reading.entity_rules
    earlier = clause.before(mention)
    gap = 0
    for index in range(len(earlier) - 1, -1, -1):
        word = earlier[index]
        if word in reading.negators:
            cancelled = index > 0 and earlier[index - 1] in reading.cancel_before
            if cancelled or _conditional(reading, text, clause.start, earlier[:index]):
                return None
            return word
        if word in reading.hypotheticals and mention.rule in reading.hypothetical_rules:
            return word
        if word in reading.scope_breakers and (entity or word not in reading.entity_breakers):
            return None
        if entity and (word in reading.joiners or word in same_rule):
            continue
        gap += 1
        if gap > (0 if entity else reading.max_gap):
            return None
    return None


def _quarrel_after(
    reading: Reading, text: str, clause: Clause, mention: Mention
) -> tuple[str, str] | None:
    """The first quarrel word after the mention, in its clause or the next one of the
    sentence, and the words before it; None without one."""
    end = clause.start + len(clause.text)
    after = text[mention.end : end]
    if end < len(text) and text[end] not in reading.sentence_marks:
        after += text[end] + re.split(reading.clause_pattern_split, text[end + 1 :], maxsplit=1)[0]
    found = [(after.find(w), -len(w), w) for w in reading.topic_quarrels if w in after]
    if not found:
        return None
    at, _length, word = min(found)
    return word, after[:at]


def _topic_marker(reading: Reading, earlier: list[str], same: set[str]) -> int:
    """The index of a topic marker (因为, 为了 …) among the words before a mention, at most
    ``topic_gap`` words away from it (joiners and words of the same rule aside), or -1."""
    gap = 0
    for index in range(len(earlier) - 1, -1, -1):
        if earlier[index] in reading.topic_markers:
            return index
        if earlier[index] not in reading.joiners and earlier[index] not in same:
            gap += 1
            if gap > reading.topic_gap:
                return -1
    return -1


def topic(
    reading: Reading, text: str, clause: Clause, mention: Mention, same_rule: set[str]
) -> str | None:
    """``marker…quarrel`` when the mention is only what a quarrel is about, or None."""
    if mention.rule not in reading.topic_rules:
        return None
    earlier = clause.before(mention)
    at = _topic_marker(reading, earlier, same_rule)
    quarrel = _quarrel_after(reading, text, clause, mention) if at >= 0 else None
    if quarrel is None:
        return None
    frame = "".join(earlier[at + 1 :]) + quarrel[1] + quarrel[0]
    if any(word in frame for word in reading.topic_party_words):
        return None
    return f"{earlier[at]}…{quarrel[0]}"


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
            by_start[start] = Clause(start, piece, tokens(piece) if reading.segment else ())
        found[mention.start] = by_start[start]
    return found


@dataclass(frozen=True)
class Aside:
    """A mention that did not count: its rule, its words, and the words that deny it."""

    rule: str
    text: str
    because: str
    topic: bool = False


SIGNALS = ("rule:", "combo1:", "combo2:")


def _masked(mention: Mention, masks: list[Mention]) -> bool:
    return any(
        mask.rule == mention.rule and mask.start <= mention.start and mention.end <= mask.end
        for mask in masks
    )


def read(
    text: str, mentions: list[Mention], reading: Reading
) -> tuple[dict[str, list[str]], list[Aside]]:
    """Tag -> the distinct words that count for it, and the signals set aside."""
    masks = [m for m in mentions if m.tag.startswith("mask:")]
    kept = sorted(
        (m for m in mentions if not m.tag.startswith("mask:") and not _masked(m, masks)),
        key=lambda m: (m.start, -m.end),
    )
    signals = [m for m in kept if m.tag.startswith(SIGNALS)]
    clauses = clauses_for(text, signals, reading)
    same_rule: dict[str, set[str]] = {}
    for m in kept:
        same_rule.setdefault(m.rule, set()).add(m.text)
    found: dict[str, list[str]] = {}
    aside: list[Aside] = []
    for m in kept:
        if m.tag.startswith(SIGNALS):
            clause = clauses[m.start]
            if reading.segment and not m.pattern and clause.cuts_into_a_word(m):
                continue
            because = denial(reading, text, clause, m, same_rule[m.rule])
            about = None if because else topic(reading, text, clause, m, same_rule[m.rule])
            if because is not None or about is not None:
                one = Aside(m.rule, m.text, because or str(about), topic=about is not None)
                if one not in aside:
                    aside.append(one)
                continue
        words = found.setdefault(m.tag, [])
        if m.text not in words:
            words.append(m.text)
    return found, aside
