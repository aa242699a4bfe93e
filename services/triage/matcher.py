"""One pass over a report's text finds every configured word (Aho-Corasick automaton), and
the rule set's patterns (regular expressions) where it has them.

The same pass finds each pattern's guard (the literal text it cannot match without,
services/triage/guards.py); a tag's patterns run as one alternation of those whose guard the
report holds (or that have none). Leaving out a pattern that cannot match changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict

import ahocorasick

from services.triage.guards import required
from services.triage.reading import Mention

GUARD = "guard:"
CACHED = 4096
"""Compiled alternations kept, one per set of patterns a report can match."""


class Matcher:
    def __init__(
        self, entries: list[tuple[str, str]], patterns: list[tuple[str, str]] | None = None
    ) -> None:
        """``entries``: (word, tag) pairs, a word may carry several tags; ``patterns``:
        (regular expression, tag) pairs."""
        tags: dict[str, set[str]] = defaultdict(set)
        for word, tag in entries:
            tags[word].add(tag)
        self._automaton = ahocorasick.Automaton()
        self._patterns = list(patterns or [])
        self._always = frozenset(
            index for index, (pattern, _tag) in enumerate(self._patterns) if not required(pattern)
        )
        for index, (pattern, _tag) in enumerate(self._patterns):
            for text in required(pattern) or ():
                tags[text].add(f"{GUARD}{index}")
        for word, word_tags in tags.items():
            guards = tuple(int(t[len(GUARD) :]) for t in sorted(word_tags) if t.startswith(GUARD))
            plain = tuple(t for t in sorted(word_tags) if not t.startswith(GUARD))
            self._automaton.add_word(word, (word, plain, guards))
        self._automaton.make_automaton()
        self._cache: dict[frozenset[int], list[tuple[str, re.Pattern[str]]]] = {}

    def find(self, text: str) -> dict[str, list[str]]:
        """Tag -> the distinct words found for it, in order of first appearance."""
        found: dict[str, list[str]] = defaultdict(list)
        for _end, (word, word_tags, _guards) in self._automaton.iter(text):
            for tag in word_tags:
                if word not in found[tag]:
                    found[tag].append(word)
        return found

    def mentions(self, text: str) -> list[Mention]:
        """Every word and pattern match, with where it stands in the text."""
        found: list[Mention] = []
        active = set(self._always)
        for end, (word, word_tags, guards) in self._automaton.iter(text):
            if guards:
                active.update(guards)
            for tag in word_tags:
                found.append(Mention(end + 1 - len(word), end + 1, word, tag))
        for tag, regex in self._compiled(frozenset(active)):
            found += [
                Mention(m.start(), m.end(), m.group(0), tag, pattern=True)
                for m in regex.finditer(text)
            ]
        return found

    def _compiled(self, active: frozenset[int]) -> list[tuple[str, re.Pattern[str]]]:
        """Per tag, one regular expression of the active patterns in the rule set's order, so
        that a match is the one the tag's full alternation would give (kept per guard set)."""
        compiled = self._cache.get(active)
        if compiled is None:
            by_tag: dict[str, list[str]] = defaultdict(list)
            for index, (pattern, tag) in enumerate(self._patterns):
                if index in active:
                    by_tag[tag].append(f"(?:{pattern})")
            compiled = [(tag, re.compile("|".join(p))) for tag, p in by_tag.items()]
            if len(self._cache) >= CACHED:
                self._cache.clear()
            self._cache[active] = compiled
        return compiled
