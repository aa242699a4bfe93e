"""What triage reads (the facts of a report) and what it answers (tier, category, why)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.cases.catalogue.triage import Effect, FiredRule, Trigger
from shared.vocabulary import Category, Tier

__all__ = [
    "CaseFacts",
    "EarlierCase",
    "Effect",
    "FiredRule",
    "SetAside",
    "TriageResult",
    "Trigger",
]


class EarlierCase(BaseModel):
    """A case reported before this one within the window (the parties' and places' history):
    by one of the same parties, or at the same grid (the rule compares the category)."""

    model_config = ConfigDict(frozen=True)

    number: str
    reported_at: datetime
    category: Category | None = None
    same_party: bool = False
    same_grid: bool = False


class CaseFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str = ""
    description: str = ""
    category: Category | None = None
    parties_count: int | None = None
    amount_cny: Decimal | None = None
    prior_reports: int | None = None
    reported_at: datetime | None = None
    earlier: tuple[EarlierCase, ...] = ()
    """Not from the report: the history the triage reactor looked up for it."""


class SetAside(BaseModel):
    """A mention of a rule's signal that did not count, and the words that ruled it out (or,
    with ``topic``, the words that make it only what a quarrel is about)."""

    model_config = ConfigDict(frozen=True)

    rule: str
    text: str
    because: str
    topic: bool = False


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
