"""Events of 研判 (analysis and early warning): a hotspot detected (RULES.md §5).

A hotspot is a unit and a category whose reports rose well above their trailing baseline.
Its events live in a stream of their own per unit and category (``hotspot_stream``), not
in a case stream: the stream's version fences the decision, so of two detectors deciding
at once only one records it, and its history says when the unit and category were last
flagged.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.org.levels import Level
from shared.vocabulary import Category

STREAM_PREFIX = "hotspot-"
"""Streams of hotspots start so; case ids never do (they are UUIDs)."""
CASES_NAMED = 50
"""At most this many case ids are named in one event (the newest of the window)."""


def hotspot_stream(unit_code: str, category: str) -> str:
    """The stream of one unit's hotspots in one category."""
    return f"{STREAM_PREFIX}{unit_code}-{category}"


def is_hotspot_stream(stream_id: str) -> bool:
    return stream_id.startswith(STREAM_PREFIX)


@register_event
class HotspotDetected(EventPayload):
    """A unit and category flagged (研判): its count in the window against its baseline."""

    event_type = "HotspotDetected"

    hotspot_id: str = Field(description="The stream and the instant it was detected at")
    unit_code: str
    level: Level
    township_code: str = Field(description="The township warned (网格预警)")
    category: Category
    window_days: int = Field(description="The window whose count rose: 7 or 30 by default")
    detected_at: datetime = Field(description="The report time at which the rule first held")
    cases: int = Field(description="Reports of the unit and category in the window")
    baseline: float = Field(description="What the window would hold at the baseline's median")
    case_ids: tuple[str, ...] = Field(description="The cases behind it, newest first (bounded)")
