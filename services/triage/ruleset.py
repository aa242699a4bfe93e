"""The rule set as data: load a versioned TOML file, validate it, build its matcher once."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.triage import segment
from services.triage.matcher import Matcher
from services.triage.models import Effect
from services.triage.reading import Reading
from shared.vocabulary import Category

RULESETS = Path(__file__).parent / "rulesets"
RULE_IDS = (
    "extreme",
    "petition",
    "mass",
    "severe_harm",
    "money_high",
    "injury",
    "money_mid",
    "parties_mid",
    "risky_category",
    "vulnerable",
    "repeat",
    "sensitive_period",
)
EFFECTS: dict[str, Effect] = {
    "extreme": "red",
    "petition": "red",
    "mass": "red",
    "severe_harm": "red",
    "money_high": "red",
    "injury": "at_least_yellow",
    "money_mid": "at_least_yellow",
    "parties_mid": "at_least_yellow",
    "risky_category": "at_least_yellow",
    "vulnerable": "at_least_yellow",
    "repeat": "one_up",
    "sensitive_period": "one_up",
}
WORDLESS = {"money_high", "money_mid", "parties_mid", "sensitive_period"}


class RulesetError(ValueError):
    """A rule set file that cannot be used, with every reason."""


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mass_count: int = Field(ge=2)
    parties_mid_min: int = Field(ge=1)
    parties_mid_max: int = Field(ge=1)
    money_high_cny: int = Field(gt=0)
    money_mid_cny: int = Field(gt=0)
    repeat_prior_reports: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.parties_mid_min <= self.parties_mid_max < self.mass_count:
            raise ValueError("need parties_mid_min <= parties_mid_max < mass_count")
        if self.money_mid_cny >= self.money_high_cny:
            raise ValueError("money_mid_cny must be below money_high_cny")
        return self


class Period(BaseModel):
    name: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"sensitive period {self.name!r} ends before it starts")
        return self


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effect: Literal["red", "at_least_yellow", "one_up"]
    words: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    """Regular expressions for the signal said in other words (rule set v2 on)."""
    not_words: list[str] = Field(default_factory=list)
    """Longer words inside which a word of this rule does not count (极端天气)."""
    not_patterns: list[str] = Field(default_factory=list)
    """Regular expressions inside whose match a word of this rule does not count (rule set
    v3: 咬死了三只鸡 holds no death of a person)."""
    combos: list[tuple[list[str], list[str]]] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    periods: list[Period] = Field(default_factory=list)
    history: bool = False
    """``repeat`` only: earlier cases of the same party, or at the same grid and of the same
    category, count as prior reports (rule set v2 on; docs/repeats.md)."""


class Categories(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order: list[Category]
    words: dict[Category, list[str]]
    patterns: dict[Category, list[str]] = Field(default_factory=dict)
    not_patterns: dict[Category, list[str]] = Field(default_factory=dict)
    """Where a category's word names no matter in dispute (rule set v3: 医生说, 在地头上)."""


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    version: str = Field(min_length=1)
    thresholds: Thresholds
    rules: dict[str, Rule]
    categories: Categories
    reading: Reading | None = None
    """How words are read in context (negation, segmentation); None reads words alone (v1)."""

    @model_validator(mode="after")
    def _complete(self) -> RuleSet:
        problems = [f"unknown rule id {r!r}" for r in self.rules if r not in RULE_IDS]
        problems += [f"rule {r!r} is missing" for r in RULE_IDS if r not in self.rules]
        for rule_id, rule in self.rules.items():
            if rule_id in EFFECTS and rule.effect != EFFECTS[rule_id]:
                problems.append(f"rule {rule_id!r} must have effect {EFFECTS[rule_id]!r}")
            if rule_id not in WORDLESS and rule_id != "risky_category" and not rule.words:
                problems.append(f"rule {rule_id!r} has no words")
            if any(not w.strip() for w in rule.words):
                problems.append(f"rule {rule_id!r} has an empty word")
        for category, words in self.categories.words.items():
            if not words:
                problems.append(f"category {category.value!r} has no words")
        problems += [f"pattern {p!r}: {why}" for p, why in self._bad_patterns()]
        if self.reading is not None:
            reading = self.reading
            named = reading.entity_rules + reading.hypothetical_rules + reading.topic_rules
            named += reading.retraction_rules + reading.precaution_rules
            problems += [f"reading names unknown rule {r!r}" for r in named if r not in RULE_IDS]
            category_words = {w for listed in self.categories.words.values() for w in listed}
            problems += [
                f"reading names {w!r}, no category's word"
                for w in reading.deniable_category_words
                if w not in category_words
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _all_patterns(self) -> list[tuple[str, str]]:
        found = [(p, f"rule:{r}") for r, rule in self.rules.items() for p in rule.patterns]
        found += [(p, f"mask:{r}") for r, rule in self.rules.items() for p in rule.not_patterns]
        for category, patterns in self.categories.patterns.items():
            found += [(p, f"category:{category.value}") for p in patterns]
        for category, patterns in self.categories.not_patterns.items():
            found += [(p, f"mask:{category.value}") for p in patterns]
        return found

    def _bad_patterns(self) -> list[tuple[str, str]]:
        bad = []
        for pattern, _tag in self._all_patterns():
            try:
                re.compile(pattern)
            except re.error as exc:
                bad.append((pattern, str(exc)))
        return bad

    def build_matcher(self) -> Matcher:
        entries: list[tuple[str, str]] = []
        for rule_id, rule in self.rules.items():
            entries += [(word, f"rule:{rule_id}") for word in rule.words]
            entries += [(word, f"mask:{rule_id}") for word in rule.not_words]
            for first, second in rule.combos:
                entries += [(word, f"combo1:{rule_id}") for word in first]
                entries += [(word, f"combo2:{rule_id}") for word in second]
        for category, words in self.categories.words.items():
            entries += [(word, f"category:{category.value}") for word in words]
        if self.reading is not None and self.reading.segment:
            signals = [word for rule in self.rules.values() for word in rule.words]
            reading = self.reading
            negators = reading.negators + reading.event_negators
            learned = (*signals, *negators, *reading.hypotheticals)
            reading.use(segment.segmenter(learned))
        return Matcher(entries, self._all_patterns())


def load_ruleset(name_or_path: str | Path = "v4") -> tuple[RuleSet, Matcher]:
    """A rule set by version name (``v4``, under rulesets/) or by file path, with its matcher."""
    path = Path(name_or_path)
    if not path.suffix:
        path = RULESETS / f"{name_or_path}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesetError(f"cannot read rule set {path}: {exc}") from exc
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise RulesetError(f"rule set {path} is not valid: {reasons}") from exc
    return ruleset, ruleset.build_matcher()
