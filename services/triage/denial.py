"""Whether the text denies a mention (RULES.md §2, rule set v2): a negator before it in its
clause, a denying phrase after it, a form's answer, a negator inside a pattern's match, or a
worry about an event; conditionals' consequences do not deny (docs/triage.md, "Negation")."""

from __future__ import annotations

import re
from typing import Any

from services.triage.context import Clause, Mention, Reading
from services.triage.frames import (
    emphatic,
    far_worry,
    negates,
    opening_supposition,
    retracted,
    trailing_negator,
    worried,
)


def _conditional(reading: Reading, text: str, clause_start: int, earlier: list[str]) -> bool:
    """The negator follows 就/便/才 in a sentence that opens a condition (如果, 只要 …)."""
    if not earlier:
        return False
    sentence_start = max(text.rfind(mark, 0, clause_start) for mark in reading.sentence_marks)
    opening = text[sentence_start + 1 : clause_start + sum(map(len, earlier))]
    if earlier[-1] not in reading.consequence_markers:
        # 就不会再去闹，也不会去北京: a list continues the consequence
        listed = earlier[-1] in reading.list_markers and clause_start > sentence_start + 1
        before = text[sentence_start + 1 : clause_start]
        if not (listed and any(marker in before for marker in reading.consequence_markers)):
            return False
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
        if inside and negates(reading, word, mention.rule in reading.entity_rules):
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
    if reading.trailing_negation and not entity:
        trailing = trailing_negator(reading, clause, mention)
        if trailing is not None:
            return trailing
    earlier = clause.before(mention)
    if reading.supposed_sentences and mention.rule in reading.hypothetical_rules:
        supposition = opening_supposition(reading, text, clause, earlier)
        if supposition is not None:
            return supposition
    gap = 0
    for index in range(len(earlier) - 1, -1, -1):
        word = earlier[index]
        if negates(reading, word, entity):
            cancelled = index > 0 and earlier[index - 1] in reading.cancel_before
            cancelled = cancelled or emphatic(reading, text, clause, mention, word)
            if cancelled or _conditional(reading, text, clause.start, earlier[:index]):
                return None
            return word
        if worried(reading, word, mention.rule):
            return word
        if word in reading.consequence_markers and mention.rule in reading.hypothetical_rules:
            # 不然两人就打起来了: a counterfactual's consequence did not happen
            supposed = [w for w in earlier[:index] if w in reading.hypotheticals]
            if supposed:
                return supposed[-1]
        if word in reading.scope_breakers and (entity or word not in reading.entity_breakers):
            return _listed(reading, earlier[:index]) if entity else None
        if entity and (word in reading.joiners or word in same_rule):
            continue
        gap += 1
        if gap > (0 if entity else reading.max_gap):
            return far_worry(reading, earlier[:index], mention.rule)
    return None


def _listed(reading: Reading, earlier: list[str]) -> str | None:
    """A party described before 的 is denied by a negator that continues a list of denials
    (没有老人，也没有上学的孩子: 也 没有 … 的), at most ``max_gap`` words before the 的;
    without 也/更 (没有工作的老人, 无人照顾的老人) the party is there."""
    for index in range(len(earlier) - 1, max(len(earlier) - 2 - reading.max_gap, 0), -1):
        if earlier[index] in reading.negators:
            return earlier[index] if earlier[index - 1] in reading.list_markers else None
    return None


def _span(text: str, marks: str, start: int, end: int) -> tuple[int, int]:
    """The run of text between ``marks`` around ``start``…``end``."""
    before = max(text.rfind(mark, 0, start) for mark in marks) + 1
    after = [at for at in (text.find(mark, end) for mark in marks) if at >= 0]
    return before, min(after, default=len(text))


def refuted(
    reading: Reading, text: str, mentions: list[Mention], reasons: dict[Mention, Any]
) -> dict[Mention, str]:
    """Claims a report passes on (网传, 称, 听说 … before the mention in its clause) that a
    later clause of the sentence calls a rumour (纯属谣言, 并无此事), or checks (经查, 核实 …)
    and either puts something else in its place (经了解只是感冒住院) or denies for the same
    rule: 网传工地死了人，经查无人死亡 sets 死了人 aside as "经查…无人". A petition or a
    gathering announced and given up later in the sentence (想通了, 不去了) is set aside too."""
    found: dict[Mention, str] = {}
    # a claim passed on can only be refuted by a rumour word or a check somewhere after it
    refutable = any(w in text for w in reading.refutations) or any(
        w in text for w in reading.verifications
    )
    passed_on = refutable and any(word in text for word in reading.hearsay)
    given_up = (*reading.withdrawals, *reading.retractions)
    if not passed_on and not any(word in text for word in given_up):
        return found
    denied = [(m, r.because) for m, r in reasons.items() if r.counted and not r.topic]
    for mention in (m for m in mentions if m not in reasons):
        clause_start, clause_end = _span(text, reading.clause_marks, mention.start, mention.end)
        because = None
        if passed_on and any(w in text[clause_start : mention.start] for w in reading.hearsay):
            because = _refutation(reading, text, mention, clause_end, denied)
        if because is None and mention.rule in reading.withdrawal_rules:
            because = _withdrawn(reading, text, mention, clause_end, reading.withdrawals)
        if because is None and mention.rule in reading.retraction_rules:
            _start, sentence_end = _span(text, reading.sentence_marks, mention.start, mention.end)
            because = retracted(reading, text[mention.end : sentence_end])
        if because is not None:
            found[mention] = because
    return found


def _withdrawn(
    reading: Reading, text: str, mention: Mention, clause_end: int, words: list[str]
) -> str | None:
    """An intent given up later in the sentence (说过要去北京，但后来想通了)."""
    _start, sentence_end = _span(text, reading.sentence_marks, mention.start, mention.end)
    later = text[clause_end:sentence_end]
    return next((word for word in words if word in later), None)


def _refutation(
    reading: Reading,
    text: str,
    mention: Mention,
    clause_end: int,
    denied: list[tuple[Mention, str]],
) -> str | None:
    """What in the rest of the sentence refutes a claim passed on, or None."""
    _start, sentence_end = _span(text, reading.sentence_marks, mention.start, mention.end)
    later = text[clause_end:sentence_end]
    rumour = next((word for word in reading.refutations if word in later), None)
    checks = sorted((later.find(w), w) for w in reading.verifications if w in later)
    if rumour is not None or not checks:
        return rumour
    at, check = checks[0]
    instead = [w for w in reading.corrections if w in later[at:]]
    same = [
        because
        for other, because in denied
        if other.rule == mention.rule and clause_end + at <= other.start < sentence_end
    ]
    return f"{check}…{(instead or same)[0]}" if instead or same else None
