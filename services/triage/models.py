"""What triage reads (the facts of a report) and what it answers (tier, category, why)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.vocabulary import Category, Tier

Effect = Literal["red", "at_least_yellow", "one_up"]


class CaseFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str = ""
    description: str = ""
    category: Category | None = None
    parties_count: int | None = None
    amount_cny: Decimal | None = None
    prior_reports: int | None = None
    reported_at: datetime | None = None


class Trigger(BaseModel):
    """What made a rule fire: a field of the request, or words of its text."""

    model_config = ConfigDict(frozen=True)

    source: Literal["field", "text"]
    field: str | None = None
    text: str | None = None
    value: str | None = None


class FiredRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    effect: Effect
    triggers: tuple[Trigger, ...]


class SetAside(BaseModel):
    """A mention of a rule's signal that did not count, and the words that ruled it out."""

    model_config = ConfigDict(frozen=True)

    rule: str
    text: str
    because: str


class TriageResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    tier: Tier
    category: Category
    category_triggers: tuple[Trigger, ...]
    rules: tuple[FiredRule, ...]
    ruleset_version: str
    explanation: tuple[str, ...]
    set_aside: tuple[SetAside, ...] = ()

    @property
    def rule_ids(self) -> list[str]:
        return sorted(rule.id for rule in self.rules)
