"""One report's text read for comparison (pure, no I/O; cached per text).

The text is normalised (``details.normalise``), names of villages, communities and estates
are set aside (the grid says where; a shared place name says nothing about which incident),
and each word of a synonym set is replaced by the set's first word, so that 犬只吠叫 and 狗叫
read alike. What remains is cut into distinct character pairs (character n-grams suit
Chinese, which has no spaces), and the synonym sets it names are kept as its things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import add

import ahocorasick

from services.triage.duplicates.details import Details, details_of, normalise
from services.triage.duplicates.thesaurus import SYNONYMS

_NOT_LETTERS = re.compile(r"[\W_]+")
_PLACE = re.compile(r"[\u4e00-\u9fff]{2}(?:村|社区|小区|街道|镇|花园|家园|苑)")
# A thing denied just before it is not named: 没人受伤, 未造成伤害, 没有打起来.
_DENIED = re.compile(r"(?:没人|无人|没有|并未|均未|未|没|无)[\u4e00-\u9fff]{0,2}$")


def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for words in SYNONYMS:
        for word in words:
            automaton.add_word(word, (len(word), words[0]))
    automaton.make_automaton()
    return automaton


_WORDS = _automaton()


@dataclass(frozen=True, slots=True)
class Reading:
    """A report's text as compared: character pairs, things named, particulars."""

    bigrams: tuple[str, ...]
    """The distinct character pairs of the read text, sorted."""
    things: tuple[str, ...]
    """The synonym sets the text names (by their first word), sorted."""
    details: Details


def canonical(text: str) -> tuple[str, frozenset[str]]:
    """The text with each synonym replaced by its set's first word, and the sets named."""
    pieces: list[str] = []
    named: set[str] = set()
    last = 0
    for end, (length, head) in _WORDS.iter_long(text):
        start = end - length + 1
        if start < last or _DENIED.search(text[max(last, start - 4) : start]):
            continue
        pieces.append(text[last:start])
        pieces.append(head)
        named.add(head)
        last = end + 1
    pieces.append(text[last:])
    return "".join(pieces), frozenset(named)


@lru_cache(maxsize=2048)
def read(text: str) -> Reading:
    """A report's title and description read once (a report meets many candidates)."""
    normal = normalise(text)
    words, named = canonical(_PLACE.sub(" ", normal))
    letters = _NOT_LETTERS.sub("", words)
    pairs = set(map(add, letters, letters[1:]))
    return Reading(
        bigrams=tuple(sorted(pairs)), things=tuple(sorted(named)), details=details_of(normal)
    )
