"""Events triage records: a tier computed by the rules, or set by a person."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.vocabulary import Category, Tier

Effect = Literal["red", "at_least_yellow", "one_up"]


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


@register_event
class CaseTriaged(EventPayload):
    event_type = "CaseTriaged"

    tier: Tier
    category: Category
    category_triggers: tuple[Trigger, ...] = ()
    rules: tuple[FiredRule, ...]
    ruleset_version: str
    previous_tier: Tier | None = None
    explanation: tuple[str, ...] = ()


@register_event
class TierOverridden(EventPayload):
    """A person set the tier, with a reason (人工调整); or the fold rule raised an incident to
    the tier of a graver report folded into it (``overridden_by`` "rule")."""

    event_type = "TierOverridden"

    tier: Tier
    previous_tier: Tier | None
    reason: str
    overridden_by: str
