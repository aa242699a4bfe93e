"""Response bodies of ``GET /v1/hotspots``: the hotspots at an instant, with their cases."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class HotspotCaseOut(BaseModel):
    case_id: str
    number: str
    unit_code: str
    reported_at: datetime


class HotspotOut(BaseModel):
    unit_code: str
    unit_name: str | None
    level: str
    category: str
    window_days: int = Field(description="The shortest window that is hot")
    cases: int = Field(description="Reports of the unit and category in the window")
    baseline: float = Field(description="What the window would hold at the baseline's median")
    hotspot_id: str | None = Field(
        description="The recorded HotspotDetected this belongs to (null: not recorded yet)"
    )
    detected_at: datetime | None
    case_list: list[HotspotCaseOut] = Field(description="The cases behind it, newest first")


class RuleOut(BaseModel):
    factor: float
    min_cases: int
    windows_days: list[int]
    baseline_weeks: int
    repeat_after_days: int


class HotspotsOut(BaseModel):
    at: datetime = Field(description="The instant the rule was applied at")
    rule: RuleOut
    hotspots: list[HotspotOut]
