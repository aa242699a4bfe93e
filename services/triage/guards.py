"""The literal text a regular expression cannot match without (its guard), so that the matcher
runs a rule set's patterns only on reports that hold one of their guard strings.

``required(r"(要|扬言)[^，]{0,4}杀(了|掉)?")`` is ``{"杀"}``: every match holds 杀, so a report
without 杀 cannot match and the pattern is skipped there. A guard is a necessary condition only
(the pattern still decides), so skipping never changes what is found. A pattern with no
mandatory literal (``[六七八九]旬`` has one: 旬; ``.+`` has none) gets no guard and always runs.
"""

from __future__ import annotations

import re._parser as sre  # the standard library's own parser of regular expressions
from typing import Any

Guard = frozenset[str] | None
MAX_STRINGS = 12
"""A guard of more alternatives than this is not worth its lookups: the pattern always runs."""


def _literals(items: list[tuple[Any, Any]]) -> Guard:
    """A character class of plain characters ([wW]); None for ranges, categories, negation."""
    if all(op is sre.LITERAL for op, _av in items):
        return frozenset(chr(av) for _op, av in items)
    return None


def _element(op: Any, av: Any) -> Guard:
    if op is sre.LITERAL:
        return frozenset({chr(av)})
    if op is sre.IN:
        return _literals(av)
    if op is sre.SUBPATTERN:
        return _sequence(list(av[3]))
    if op is sre.BRANCH:
        branches = [_sequence(list(branch)) for branch in av[1]]
        if any(guard is None for guard in branches):
            return None
        return frozenset().union(*(g for g in branches if g is not None))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
        return _sequence(list(av[2]))
    return None


def _sequence(items: list[tuple[Any, Any]]) -> Guard:
    """The best guard among a sequence's mandatory parts: a run of plain characters is one
    string (扬言); the part whose strings are fewest and longest (a single character counts 1,
    two characters 1/4, three 1/9: rarer in text) is chosen."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, av in [*items, (None, None)]:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            candidates.append(frozenset({run}))
            run = ""
        if op is not None:
            guard = _element(op, av)
            if guard is not None:
                candidates.append(guard)
    candidates = [c for c in candidates if len(c) <= MAX_STRINGS]
    if not candidates:
        return None
    return min(candidates, key=lambda c: sum(1 / len(text) ** 2 for text in c))


def required(pattern: str) -> Guard:
    """The strings one of which every match of ``pattern`` holds, or None when unknown."""
    return _sequence(list(sre.parse(pattern).data))
