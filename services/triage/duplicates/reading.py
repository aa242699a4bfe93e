"""One report's text read for comparison (pure, no I/O; cached per text).

The text is normalised (``details.normalise``), names of villages, communities and estates
are set aside (the grid says where; a shared place name says nothing about which incident),
and each word of a synonym set is replaced by the set's first word, so that 犬只吠叫 and 狗叫
read alike. The synonym sets it names are kept as its things (and those it only denies,
没人受伤), the kinds of incident it names (``incidents.KINDS``) as its kinds, what it says
happened and to what (``acts.ACTS``, ``acts.OBJECTS``) as its acts and objects, and the
distinct characters of what remains, less those that carry no incident, as its characters
(single characters suit Chinese, which has no spaces: 漏水 and 渗水 share 水).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from services.triage.duplicates.acts import ACTS, OBJECTS
from services.triage.duplicates.details import Details, details_of, normalise
from services.triage.duplicates.differences import weight
from services.triage.duplicates.incidents import KINDS
from services.triage.duplicates.thesaurus import SYNONYMS

_HAN = re.compile(r"[\u4e00-\u9fff]")
_RUNS = re.compile(r"[\u4e00-\u9fff]+")
# Characters that carry no incident: function words, pronouns, numbers, classifiers, time,
# and the words of places and of write-ups (村, 小区, 反映).
_PLAIN = frozenset(
    "的了在是我他她们有个这那就都也说不一没人家到去来要和被把给还很多上下里天年月日时么吗呢"
    "吧啊呀着过得地之其为因于以及与或而但又再已才只从对向让请好大小能会可想知道看现后前中开"
    "出今次几些什两三四五六七八九十百千万元号楼幢栋单元室组村社区镇街反映来电称系某"
)
# A clause that tells how the report was handled rather than what happened (已拍照, 同意赔偿,
# 答应下周搬走, 调了监控): its verbs are the handlers' acts, not the incident's.
_CLAUSE = re.compile(r"[^，。；！？,.;!?\n]+")
_HANDLING = re.compile(
    r"^(?:已(?!经|过期|超过|逾期|满)|现已|目前已|答应|同意|承诺|表示|建议|责令|约定|约了|拟|待"
    r"|下周|明天|近期)|同意|答应|承诺|调取|调了|责令"
)
_PLACE = re.compile(r"[\u4e00-\u9fff]{2}(?:村|社区|小区|街道|镇|花园|家园|苑)")
# A thing denied just before it is not named: 没人受伤, 未造成伤害, 没有打起来.
_DENIED = re.compile(r"(?:没人|无人|没有|并未|均未|未|没|无)(?:造成|发生|出现|人)?$")


def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for words in SYNONYMS:
        for word in words:
            automaton.add_word(word, (len(word), words[0]))
    automaton.make_automaton()
    return automaton


def _marks_automaton(table: dict[str, tuple[str, ...]]) -> ahocorasick.Automaton:
    """Each word of ``table`` marking the names it is listed under."""
    automaton = ahocorasick.Automaton()
    marks: dict[str, set[str]] = {}
    for kind, words in table.items():
        for word in words:
            marks.setdefault(word, set()).add(kind)
    for word, kinds in marks.items():
        automaton.add_word(word, (len(word), tuple(sorted(kinds))))
    automaton.make_automaton()
    return automaton


_WORDS = _automaton()
_KINDS = _marks_automaton(KINDS)
_ACTS = _marks_automaton(ACTS)
_OBJECTS = _marks_automaton(OBJECTS)


@dataclass(frozen=True, slots=True)
class Reading:
    """A report's text as compared: character pairs, things named, particulars."""

    things: tuple[str, ...]
    """The synonym sets the text names (by their first word), sorted."""
    denied: frozenset[str]
    """The synonym sets the text names only to deny them (没人受伤, 没有打起来)."""
    kinds: frozenset[str]
    """The kinds of incident the text names (``incidents.KINDS``)."""
    acts: frozenset[str]
    """What the text says happened (``acts.ACTS``)."""
    objects: frozenset[str]
    """What it happened to (``acts.OBJECTS``)."""
    characters: tuple[str, ...]
    """The distinct Chinese characters of the read text, less those that carry no incident,
    sorted."""
    bigrams: frozenset[str]
    """The distinct pairs of adjacent Chinese characters of the read text, less those made
    only of characters that carry no incident (鸽子 and 院里 stay, 我们 goes)."""
    bigram_weight: float
    """The summed learned log-odds of its bigrams (``differences.weight``)."""
    title_characters: frozenset[str]
    """The characters of the title alone (its first line), read the same way."""
    title_things: frozenset[str]
    """The synonym sets the title alone names."""
    details: Details


def canonical(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """The text with each synonym replaced by its set's first word, the sets named, and the
    sets denied (没人受伤 denies 受伤)."""
    pieces: list[str] = []
    named: set[str] = set()
    denied: set[str] = set()
    last = 0
    for end, (length, head) in _WORDS.iter_long(text):
        start = end - length + 1
        if start < last:
            continue
        if _DENIED.search(text[max(last, start - 4) : start]):
            denied.add(head)
            continue
        pieces.append(text[last:start])
        pieces.append(head)
        named.add(head)
        last = end + 1
    pieces.append(text[last:])
    return "".join(pieces), frozenset(named), frozenset(denied - named)


def kinds_of(text: str, marks: ahocorasick.Automaton = _KINDS) -> frozenset[str]:
    """The kinds of incident (or, given ``_ACTS``, the acts) a normalised text names; a word
    just after a denial is not."""
    named: set[str] = set()
    for end, (length, kinds) in marks.iter_long(text):
        start = end - length + 1
        if not _DENIED.search(text[max(0, start - 4) : start]):
            named.update(kinds)
    return frozenset(named)


def bigrams_of(words: str) -> frozenset[str]:
    """Adjacent character pairs within each run of Chinese characters, less those made only
    of characters that carry no incident."""
    pairs: set[str] = set()
    for run in _RUNS.findall(words):
        pairs.update(
            run[i : i + 2]
            for i in range(len(run) - 1)
            if run[i] not in _PLAIN or run[i + 1] not in _PLAIN
        )
    return frozenset(pairs)


def told(text: str) -> str:
    """The text less the clauses that tell how it was handled (``_HANDLING``)."""
    return "，".join(
        clause for clause in _CLAUSE.findall(text) if not _HANDLING.search(clause.strip())
    )


@lru_cache(maxsize=2048)
def read(text: str) -> Reading:
    """A report's title and description read once (a report meets many candidates)."""
    normal = normalise(text)
    unplaced = _PLACE.sub(" ", normal)
    words, named, denied = canonical(unplaced)
    happened = told(unplaced)
    pairs = bigrams_of(words)
    title_words, title_named, _ = canonical(_PLACE.sub(" ", normalise(text.split("\n", 1)[0])))
    return Reading(
        things=tuple(sorted(named)),
        denied=denied,
        kinds=kinds_of(unplaced),
        acts=kinds_of(happened, _ACTS),
        objects=kinds_of(happened, _OBJECTS),
        characters=tuple(sorted(set(_HAN.findall(words)) - _PLAIN)),
        bigrams=pairs,
        bigram_weight=weight(pairs),
        title_characters=frozenset(_HAN.findall(title_words)) - _PLAIN,
        title_things=title_named,
        details=details_of(normal),
    )
