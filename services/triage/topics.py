"""A party word that is only what other people quarrel about is no party (rule set v2,
``topic_*`` of ``[reading]``): 因为孩子的学费问题吵架 names no vulnerable party, but
因为孩子的抚养费不给吵架 does (docs/triage.md, "A party or only a topic")."""

from __future__ import annotations

import re

from services.triage.context import Clause, Mention, Reading


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
