"""How alike two reports are, 0.0 … 1.0: the chance that they tell one incident (合并工单).

Pure, no I/O, symmetric. The evidence (``Evidence``), weighed by a logistic regression whose
weights (``weights.WEIGHTS``) bench/fit_duplicates.py fits on the tuning part of the labelled
pairs (docs/duplicates.md, "How similar is similar", gives the figures):

* the things both accounts name (synonym sets of ``thesaurus``; common ones such as 老人 or
  工资 count for less), a weighted Dice coefficient shrunk when little is named;
* the kinds of incident both name (``incidents``: 狗叫, 欠薪, 漏水 …), likewise; whether
  they name none in common, and how far each names kinds or things the other does not
  (欠薪 / 工伤 at one site, 丢失 / 堆放 at one parcel station), graded against what they
  share, so that a retelling's one extra detail weighs little;
* what each says happened and to what (``acts``: 泼 / 扔, 困 / 夹, 竹笋 / 毛竹, 电池 / 刹车片):
  two accounts that both name acts and share none tell two incidents, and such a pair is
  held below ``CLASH_CEILING`` (proposed at most, never folded by the rule); how far each
  names acts or objects the other does not, graded like the kinds;
* their characters: the Dice coefficient of the distinct characters that carry the
  incident, computed by rapidfuzz (Indel similarity of the sorted characters);
* the titles, each teller's summary of what happened: whether they name a thing in common,
  and how much of each title's characters the other account holds (the less of the two):
  楼顶有人养鸽子 beside a leaking roof of the same building finds no 鸽;
* what tells them apart, learned (``differences``): the character pairs only one account
  holds, each weighed by how often such a difference came with one incident or with two on
  the tuning part (来电 / 核查 are how a story is told; 鸽子 beside 漏雨 is another story);
* particulars both give and agree on (3幢 and 三幢, 周家) — or disagree on (3幢 / 7幢, 501 /
  302, 小三班 / 中一班, 木工 / 钢筋工, 三个月 / 两个月, 早上 / 傍晚, a child / chickens bitten),
  or a thing one names and the other denies (受伤 / 没人受伤): a clash keeps the pair from
  folding on its own;
* a party in common (keyed hashes of phone or ID numbers, never the numbers), when nothing
  clashes: a caller calling again about one incident (催办) or about another one at the same
  place (another building, another day).

The category and the grid are kept for explanations but weigh nothing: one incident is filed
under different categories as often as two under one, and the candidates share the place.
The weighted sum goes through the logistic function. ``FOLD_THRESHOLD`` folds a report into
an open case without asking; ``PROPOSE_THRESHOLD`` proposes it to a person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from services.triage.duplicates.details import agreements, conflicts
from services.triage.duplicates.differences import differences_read
from services.triage.duplicates.incidents import BROAD
from services.triage.duplicates.reading import Reading, read
from services.triage.duplicates.thesaurus import COMMON
from services.triage.duplicates.weights import WEIGHTS

FOLD_THRESHOLD = 0.9
"""At or above: fold the new report into the open case automatically."""
PROPOSE_THRESHOLD = 0.5
"""At or above (and below ``FOLD_THRESHOLD``): propose the fold to a person."""

CLASH_CEILING = 0.85
"""The most a pair scores when the two accounts say different things happened (``act_clash``)
or give a particular that clashes (``conflicts``):
such a pair is at most proposed to a person, never folded by the rule, however alike the
rest is told (a wrong fold hides a real incident; a proposal costs a look)."""

COMMON_WEIGHT = 0.35
"""What a commonly named thing (``thesaurus.COMMON``) counts for beside a specific one."""
BROAD_WEIGHT = 0.4
"""What a kind of incident named along the way (``incidents.BROAD``) counts for."""
THIN_EVIDENCE = 2.0
"""Added to the weight of all things named: shrinks the Dice of accounts that name little."""


@dataclass(frozen=True, slots=True)
class ReportSketch:
    """What the score looks at in a report."""

    text: str
    """Title + "\\n" + description, as reported."""
    category: str | None
    unit_code: str
    """The grid the case belongs to (grid_unit_code or unit_code)."""
    party_keys: frozenset[str] = frozenset()
    """Opaque keyed hashes of the parties' phone and ID numbers."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """The pieces of evidence for one pair, each symmetric in the two reports."""

    things: float
    kinds: float
    """Weighted Dice of the kinds of incident named (``incidents.KINDS``)."""
    kind_clash: bool
    """Both name a specific kind of incident and none in common."""
    kind_apart: float
    """How far each names kinds of incident the other does not (欠薪 / 工伤 at one site)."""
    things_apart: float
    """How far each names specific things the other does not (工伤 / 工资, 丢失 / 堆放)."""
    act_clash: bool
    """Both say what happened (``acts``) and name no act in common (泼脏水 / 扔鞋柜)."""
    act_apart: float
    """How far each names acts the other does not (困人 / 夹伤 in one lift)."""
    object_apart: float
    """How far each names objects the other does not (竹笋 / 毛竹, 电池 / 刹车片)."""
    characters: float
    """Dice of the distinct characters that carry the incident (漏/渗/水 in 漏水, 渗水)."""
    differences: float
    """The mean learned log-odds of the character pairs only one account holds
    (``differences``): below 0 they differ the way two incidents do."""
    title_cover: float
    """How much of each title's characters the other account holds, the less of the two."""
    title_things: bool
    """The two titles name a thing in common (a synonym set of ``thesaurus``)."""
    agreements: int
    conflicts: int
    party: bool
    """A party in common and no particular clashing (the same caller, the same building)."""
    category: int
    """1 same category, -1 different, 0 when either is unknown."""
    place: float
    """1 same grid, 0.5 a neighbouring grid of the same village, 0 otherwise."""


def _weight(thing: str) -> float:
    return COMMON_WEIGHT if thing in COMMON else 1.0


def _things(one: Reading, other: Reading) -> float:
    """Weighted Dice of the things named, shrunk towards 0 when little is named: one common
    thing in common (老板) is weak evidence, four specific ones are strong."""
    total = math.fsum(map(_weight, one.things)) + math.fsum(map(_weight, other.things))
    shared = set(one.things) & set(other.things)
    return 2 * math.fsum(map(_weight, shared)) / (total + THIN_EVIDENCE)


def _apart(mine: set[str] | frozenset[str], theirs: set[str] | frozenset[str]) -> float:
    """How far each account names what the other does not, 0.0 … 1.0: the smaller number of
    unshared names against it plus those shared (one extra name each beside three in common
    is a retelling's detail; two extra each and nothing in common, another incident)."""
    unshared = min(len(mine - theirs), len(theirs - mine))
    return unshared / (unshared + len(mine & theirs) + 1)


def _things_apart(one: Reading, other: Reading) -> float:
    return _apart(set(one.things) - COMMON, set(other.things) - COMMON)


def _denials(one: Reading, other: Reading) -> int:
    """1 when one report names what the other denies (受伤 / 没人受伤)."""
    return int(bool(one.denied.intersection(other.things) or other.denied.intersection(one.things)))


def _kind_weight(kind: str) -> float:
    return BROAD_WEIGHT if kind in BROAD else 1.0


def _kinds(one: Reading, other: Reading) -> tuple[float, bool, float]:
    """Weighted Dice of the kinds of incident named; whether they clash (nothing specific in
    common); how far each names kinds the other does not (``_apart``)."""
    total = math.fsum(map(_kind_weight, one.kinds)) + math.fsum(map(_kind_weight, other.kinds))
    shared = one.kinds & other.kinds
    dice = 2 * math.fsum(map(_kind_weight, shared)) / (total + THIN_EVIDENCE)
    specific, other_specific = one.kinds - BROAD, other.kinds - BROAD
    clash = bool(specific) and bool(other_specific) and not specific & other_specific
    return dice, clash, _apart(one.kinds, other.kinds)


def _characters(one: Reading, other: Reading) -> float:
    if not one.characters or not other.characters:
        return 0.0
    return Indel.normalized_similarity(one.characters, other.characters)


def _cover(one: Reading, other: Reading) -> float:
    """The share of one title's characters that the other account holds."""
    if not one.title_characters:
        return 0.0
    return len(one.title_characters.intersection(other.characters)) / len(one.title_characters)


def _place(one: str, other: str) -> float:
    if one == other:
        return 1.0
    if len(one) >= 12 and one[:12] == other[:12]:
        return 0.5
    return 0.0


def _category(one: str | None, other: str | None) -> int:
    if one is None or other is None:
        return 0
    return 1 if one == other else -1


def evidence(new: ReportSketch, old: ReportSketch) -> Evidence:
    """The evidence the score weighs, for explanations and the bench."""
    one, other = read(new.text), read(old.text)
    kinds, kind_clash, kind_apart = _kinds(one, other)
    clashes = conflicts(one.details, other.details) + _denials(one, other)
    return Evidence(
        things=_things(one, other),
        kinds=kinds,
        kind_clash=kind_clash,
        kind_apart=kind_apart,
        things_apart=_things_apart(one, other),
        act_clash=bool(one.acts) and bool(other.acts) and not one.acts & other.acts,
        act_apart=_apart(one.acts, other.acts),
        object_apart=_apart(one.objects, other.objects),
        characters=_characters(one, other),
        differences=differences_read(
            one.bigrams, one.bigram_weight, other.bigrams, other.bigram_weight
        ),
        title_cover=min(_cover(one, other), _cover(other, one)),
        title_things=bool(one.title_things & other.title_things),
        agreements=min(agreements(one.details, other.details), 2),
        conflicts=min(clashes, 2),
        party=bool(new.party_keys & old.party_keys) and not clashes,
        category=_category(new.category, old.category),
        place=_place(new.unit_code, old.unit_code),
    )


def weigh(found: Evidence) -> float:
    """The weighted evidence through the logistic function, 0.0 … 1.0, held below
    ``CLASH_CEILING`` when the accounts tell different acts."""
    total = WEIGHTS["bias"] + math.fsum(
        WEIGHTS[name] * float(getattr(found, name)) for name in WEIGHTS if name != "bias"
    )
    score = 1.0 / (1.0 + math.exp(-total))
    return min(score, CLASH_CEILING) if held(found) else score


def held(found: Evidence) -> bool:
    """The accounts tell different acts, or give a particular that clashes (3幢 / 9幢, a
    child / chickens bitten): proposed at most, never folded by the rule."""
    return found.act_clash or found.conflicts > 0


def similarity(new: ReportSketch, old: ReportSketch) -> float:
    """How likely ``new`` and ``old`` tell one incident: 0.0 … 1.0, symmetric."""
    return weigh(evidence(new, old))
