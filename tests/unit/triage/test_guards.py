"""A pattern's guard is text every match holds, so running a pattern only on reports that
hold its guard finds exactly what running it everywhere finds."""

from __future__ import annotations

import re

import pytest

from bench.triage_eval import load_cases
from services.triage.guards import required
from services.triage.matcher import Matcher
from services.triage.ruleset import load_ruleset

RULESET, MATCHER = load_ruleset("v4")
PATTERNS = RULESET._all_patterns()
TEXTS = [f"{c['input'].get('title', '')}\n{c['input']['description']}" for c in load_cases()]


@pytest.mark.parametrize(
    ("pattern", "guard"),
    [
        ("(要|扬言)[^，]{0,4}杀(了|掉)?(?![鸡鸭])", {"杀"}),
        ("(锄头|棍子).{0,4}(打|砸)", {"锄头", "棍子"}),
        ("[六七八九]旬", {"旬"}),
        ("(?<![0-9.])[1-9][0-9]+[wW]", {"w", "W"}),
        ("缝了?.{0,3}针", {"缝"}),
        (".{0,3}", None),
        ("(打|揍)?伤|痛", {"伤", "痛"}),
        ("(打|.)伤|痛", {"伤", "痛"}),
        ("[^，]伤|[0-9]", None),
    ],
)
def test_the_guard_is_the_text_every_match_needs(pattern: str, guard: set[str] | None) -> None:
    assert required(pattern) == (frozenset(guard) if guard is not None else None)


@pytest.mark.parametrize(("pattern", "tag"), PATTERNS, ids=[p for p, _t in PATTERNS])
def test_every_match_of_a_v2_pattern_holds_its_guard(pattern: str, tag: str) -> None:
    guard = required(pattern)
    matches = [m.group(0) for text in TEXTS for m in re.finditer(pattern, text)]
    assert guard is None or all(any(g in m for g in guard) for m in matches)


def test_guarded_patterns_find_what_the_full_alternation_finds() -> None:
    unguarded = Matcher([], PATTERNS)
    unguarded._always = frozenset(range(len(PATTERNS)))
    guarded = Matcher([], PATTERNS)
    for text in TEXTS:
        assert sorted(map(repr, guarded.mentions(text))) == sorted(
            map(repr, unguarded.mentions(text))
        )
