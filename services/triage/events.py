"""Events triage records: a tier computed by the rules, or set by a person."""

from __future__ import annotations

from services.triage.models import FiredRule, Trigger
from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.vocabulary import Category, Tier


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
    """A person set the tier, with a reason (人工调整)."""

    event_type = "TierOverridden"

    tier: Tier
    previous_tier: Tier | None
    reason: str
    overridden_by: str
