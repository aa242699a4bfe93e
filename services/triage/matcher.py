"""One pass over a report's text finds every configured word (Aho-Corasick automaton), and
the rule set's patterns (regular expressions) where it has them."""

from __future__ import annotations

import re
from collections import defaultdict

import ahocorasick

from services.triage.reading import Mention


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
        for word, word_tags in tags.items():
            self._automaton.add_word(word, (word, tuple(sorted(word_tags))))
        self._automaton.make_automaton()
        by_tag: dict[str, list[str]] = defaultdict(list)
        for pattern, tag in patterns or []:
            by_tag[tag].append(f"(?:{pattern})")
        self._patterns = [(tag, re.compile("|".join(p))) for tag, p in by_tag.items()]

    def find(self, text: str) -> dict[str, list[str]]:
        """Tag -> the distinct words found for it, in order of first appearance."""
        found: dict[str, list[str]] = defaultdict(list)
        for _end, (word, word_tags) in self._automaton.iter(text):
            for tag in word_tags:
                if word not in found[tag]:
                    found[tag].append(word)
        return found

    def mentions(self, text: str) -> list[Mention]:
        """Every word and pattern match, with where it stands in the text."""
        found = [
            Mention(end + 1 - len(word), end + 1, word, tag)
            for end, (word, word_tags) in self._automaton.iter(text)
            for tag in word_tags
        ]
        for tag, regex in self._patterns:
            found += [
                Mention(m.start(), m.end(), m.group(0), tag, pattern=True)
                for m in regex.finditer(text)
            ]
        return found
