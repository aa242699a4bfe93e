"""Rule set v4's reading of how a report frames a signal (docs/triage.md, "The fifth round"):
a question asks and states nothing (有没有动手), a negator may close a clause after what it
denies (一点伤都没有) or end a longer word (矢口否认), a worry reaches over a whole clause
(担心两家积怨太深哪天打起来), a push or a tussle is an injury only where the report does not
rule harm out (双方互有推搡，未见明显外伤), and an amount or a count said only to be denied
(并非网上说的二十万) is no amount. Every setting is off in the released rule sets."""

from __future__ import annotations

from services.triage.context import Clause, Mention, Reading
from services.triage.models import SetAside
from services.triage.numerals import Quantity


def negates(reading: Reading, word: str, entity: bool) -> bool:
    """A word that denies what follows it in its clause."""
    if word in reading.negators or word in reading.questions:
        return True
    if not entity and word in reading.event_negators:
        return True
    return len(word) > 2 and word.endswith(_prefixes(reading.compound_negators))


def emphatic(reading: Reading, text: str, clause: Clause, mention: Mention, word: str) -> bool:
    """非 … 不可 says "must", not "not": 非捅他几刀不可 is a threat (``emphatic``)."""
    rest = text[mention.end : clause.start + len(clause.text)]
    return any(word == first and last in rest for first, last in reading.emphatic)


def opens(reading: Reading, word: str, frames: list[str]) -> bool:
    """A worry or a precaution word, or (``prefix_frames``) a longer word it begins, as
    jieba cuts 防止出现 and 担心会 whole."""
    if word in frames:
        return True
    if not reading.prefix_frames or len(word) < 3:
        return False
    return word.startswith(_prefixes(frames))


_FIRSTS: dict[int, tuple[list[str], frozenset[str]]] = {}


def _firsts(negators: list[str]) -> frozenset[str]:
    """The first characters of the negators: a clause that holds none has no negator."""
    known = _FIRSTS.get(id(negators))
    if known is None or known[0] is not negators:
        known = (negators, frozenset(n[0] for n in negators))
        _FIRSTS[id(negators)] = known
    return known[1]


_PREFIXES: dict[int, tuple[list[str], tuple[str, ...]]] = {}


def _prefixes(frames: list[str]) -> tuple[str, ...]:
    """The frame words of two or more characters, as one tuple for ``str.startswith``
    (kept per list: a rule set's lists live as long as the rule set)."""
    known = _PREFIXES.get(id(frames))
    if known is None or known[0] is not frames:
        known = (frames, tuple(f for f in frames if len(f) > 1))
        _PREFIXES[id(frames)] = known
    return known[1]


def worried(reading: Reading, word: str, rule: str) -> bool:
    """A worry for the hypothetical rules (担心…受伤), a precaution for the precaution rules
    (防止出现群体聚集)."""
    if rule in reading.hypothetical_rules and opens(reading, word, reading.hypotheticals):
        return True
    return rule in reading.precaution_rules and opens(reading, word, reading.precautions)


def trailing_negator(reading: Reading, clause: Clause, mention: Mention) -> str | None:
    """The negator that closes the mention's clause with only fillers between (伤都没有,
    外伤倒是没有): the clause says of the mention that it is not there."""
    tail = clause.text[mention.end - clause.start :]
    if not any(first in tail for first in _firsts(reading.negators)):
        return None
    after = [w for w, s, _e in clause.words if clause.start + s >= mention.end]
    while after and after[0] in reading.trailing_fillers:
        after.pop(0)
    if len(after) == 1 and after[0] in reading.negators:
        return after[0]
    return None


def opening_supposition(
    reading: Reading, text: str, clause: Clause, earlier: list[str]
) -> str | None:
    """A supposition opening the sentence (要是当时他在场，肯定得跟对方干一架) reaches its later
    clauses (``supposed_sentences``), unless the mention's clause holds a negator (如果…就不会
    打起来 is read as v3 reads conditionals)."""
    sentence_start = max(text.rfind(mark, 0, clause.start) for mark in reading.sentence_marks) + 1
    if sentence_start >= clause.start:
        return None
    opening = text[sentence_start : sentence_start + 6]
    word = next((w for w in reading.conditionals if w in opening), None)
    if word is None or any(negates(reading, w, False) for w in earlier):
        return None
    return word


def far_worry(reading: Reading, earlier: list[str], rule: str) -> str | None:
    """A worry or precaution further back in the clause than ``max_gap`` words, up to
    ``hypothetical_gap`` (担心两家积怨太深哪天打起来), for the hypothetical rules; a
    precaution (为防止出现群体聚集) for the precaution rules too."""
    reach = reading.hypothetical_gap - reading.max_gap
    for word in reversed(earlier[-reach:] if reach > 0 else []):
        if word in reading.scope_breakers and word not in reading.entity_breakers:
            return None
        if worried(reading, word, rule):
            return word
    return None


def retracted(reading: Reading, later: str) -> str | None:
    """A threat or a blow not meant or held back, later in the sentence (说着玩的, 没敢,
    忍住了), unless that is denied in turn (没人当是玩笑, 不是气话)."""
    for word in reading.retractions:
        at = later.find(word)
        if at >= 0 and not any(n in later[max(0, at - 3) : at] for n in "不没非无"):
            return word
    return None


def no_harm(
    reading: Reading, text: str, contacts: list[Mention], denied_injury: list[str]
) -> dict[Mention, str]:
    """Pushes and tussles (``mild_contacts``: the injury mentions given) set aside where the
    report rules harm out: a ``no_harm`` phrase (无大碍) or an injury mention it denies
    (未见…外伤)."""
    phrase = next((p for p in reading.no_harm if p in text), None)
    because = phrase or (denied_injury[0] if denied_injury else None)
    if because is None:
        return {}
    return {m: f"no harm: {because}" for m in contacts}


def denied_quantities(
    reading: Reading, text: str, quantities: list[Quantity], rule: str
) -> tuple[list[Quantity], list[SetAside]]:
    """Quantities kept, and those said only to be denied (并非网上说的二十万, 不是三十户,
    离一万还差两百): a ``quantity_negators`` word before every place the quantity is
    written, in its clause, at most six characters away (a one-character word: right
    before it)."""
    present = [w for w in reading.quantity_negators if w in text]
    if not present or not quantities:
        return quantities, []
    kept: list[Quantity] = []
    aside: list[SetAside] = []
    for quantity in quantities:
        denial = None
        for at in _places(text, quantity.text):
            before = text[max(0, at - 8) : at]
            for mark in reading.clause_marks:
                before = before.rsplit(mark, 1)[-1]
            denial = next((w for w in present if _near(before, w)), None)
            if denial is None:
                break
        if denial is None:
            kept.append(quantity)
        else:
            aside.append(SetAside(rule=rule, text=quantity.text, because=denial))
    return kept, aside


def _places(text: str, part: str) -> list[int]:
    places, at = [], text.find(part)
    while at >= 0:
        places.append(at)
        at = text.find(part, at + 1)
    return places


def _near(before: str, word: str) -> bool:
    return before.endswith(word) or (len(word) > 1 and word in before[-6 - len(word) :])
