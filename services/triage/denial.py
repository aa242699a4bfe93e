"""Whether the text denies a mention (RULES.md §2, rule set v2): a negator before it in its
clause, a denying phrase after it, a form's answer, a negator inside a pattern's match, or a
worry about an event; conditionals' consequences do not deny (docs/triage.md, "Negation")."""

from __future__ import annotations

import re

from services.triage.context import Clause, Mention, Reading


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
