"""Shared domain vocabulary: colour tiers (红黄蓝分级) and case categories (RULES.md §2)."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    """Colour tier of a case, lowest first."""

    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        return _TIER_ORDER.index(self)

    def step_up(self) -> Tier:
        """One tier up, never above red."""
        return _TIER_ORDER[min(self.rank + 1, len(_TIER_ORDER) - 1)]

    @classmethod
    def highest(cls, *tiers: Tier) -> Tier:
        return max(tiers, key=lambda tier: tier.rank, default=cls.BLUE)


_TIER_ORDER: tuple[Tier, ...] = (Tier.BLUE, Tier.YELLOW, Tier.RED)


class Category(StrEnum):
    """Case categories of RULES.md §2."""

    NEIGHBOUR = "neighbour"
    MARRIAGE_FAMILY = "marriage_family"
    SUPPORT = "support"
    LAND = "land"
    DEMOLITION = "demolition"
    LABOUR = "labour"
    PROPERTY_MGMT = "property_mgmt"
    MEDICAL = "medical"
    CONSUMER = "consumer"
    TRAFFIC = "traffic"
    SCHOOL = "school"
    OTHER = "other"


ASSIGNMENT_COUNTERS = (
    "warnings",
    "extensions_requested",
    "extensions_approved",
    "extensions_refused",
    "bounce_backs",
    "bounce_backs_confirmed",
    "bounce_backs_reassigned",
    "bounce_backs_lapsed",
    "chase_notices",
)
"""What is counted per assignment beside the ladder: 预警, 延期 requests and decisions,
退单 and their outcomes, 催办 (RULES.md §3b; columns of ``assignment_facts``)."""
