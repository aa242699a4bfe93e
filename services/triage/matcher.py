"""One pass over a report's text finds every configured word (Aho-Corasick automaton)."""

from __future__ import annotations

from collections import defaultdict

import ahocorasick


class Matcher:
    def __init__(self, entries: list[tuple[str, str]]) -> None:
        """``entries``: (word, tag) pairs; a word may carry several tags."""
        tags: dict[str, set[str]] = defaultdict(set)
        for word, tag in entries:
            tags[word].add(tag)
        self._automaton = ahocorasick.Automaton()
        for word, word_tags in tags.items():
            self._automaton.add_word(word, (word, tuple(sorted(word_tags))))
        self._automaton.make_automaton()

    def find(self, text: str) -> dict[str, list[str]]:
        """Tag -> the distinct words found for it, in order of first appearance."""
        found: dict[str, list[str]] = defaultdict(list)
        for _end, (word, word_tags) in self._automaton.iter(text):
            for tag in word_tags:
                if word not in found[tag]:
                    found[tag].append(word)
        return found
