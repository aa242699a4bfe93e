"""The hotspot rule per deployment (``FQ_HOTSPOT_*``, RULES.md §5's defaults)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.measures.hotspots.rule import Rule
from shared.settings_base import ServiceSettings


class HotspotSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FQ_HOTSPOT_", env_file=".env", extra="ignore")

    factor: float = Field(
        default=3.0,
        gt=0,
        description="A window is hot when its count exceeds this many times the baseline "
        "(the median of the trailing weeks' counts, scaled to the window's length)",
    )
    min_cases: int = Field(
        default=5, ge=1, le=10_000, description="Fewer reports in the window are never a hotspot"
    )
    windows_days: list[int] = Field(
        default_factory=lambda: [7, 30],
        min_length=1,
        max_length=4,
        description="The windows counted, in days (JSON list); the shortest that is hot is "
        "the one reported",
    )
    baseline_weeks: int = Field(
        default=8,
        ge=1,
        le=52,
        description="Weeks before the window whose weekly counts make the baseline (median)",
    )
    repeat_after_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="A unit and category flagged is not flagged again until this many days "
        "after its last hotspot",
    )
    settle_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long the detector waits for the hotspot read model to hold the case "
        "it reacts to before it retries the event",
    )

    linger_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="How long the detector lets reports of one township and category gather "
        "before it decides on them together (a burst of reports costs one decision a second)",
    )

    @field_validator("windows_days")
    @classmethod
    def _positive_windows(cls, value: list[int]) -> list[int]:
        if any(days < 1 or days > 366 for days in value):
            raise ValueError("each window is between 1 and 366 days")
        return sorted(set(value))

    def rule(self) -> Rule:
        return Rule(
            factor=self.factor,
            min_cases=self.min_cases,
            windows_days=tuple(self.windows_days),
            baseline_weeks=self.baseline_weeks,
            repeat_after_days=self.repeat_after_days,
        )
