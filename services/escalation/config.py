"""Ladder configuration per deployment (``FQ_LADDER_*``); every number is a default."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

import orjson
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.org.levels import Level
from shared.settings_base import ServiceSettings
from shared.vocabulary import Tier


class LadderSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FQ_LADDER_", env_file=".env", extra="ignore")

    limit_days: dict[Level, int] = Field(
        default_factory=lambda: {
            Level.GRID: 1,
            Level.VILLAGE: 3,
            Level.TOWNSHIP: 5,
            Level.COUNTY: 7,
        },
        description="Time limit per level; at the county, the supervision (督办) period",
    )
    day_mode: Literal["calendar", "working"] = "calendar"
    ack_hours: dict[Tier, float] = Field(
        default_factory=lambda: {Tier.RED: 1.0, Tier.YELLOW: 4.0, Tier.BLUE: 12.0}
    )
    follow_up_days: int = Field(
        default=7, ge=1, description="The follow-up visit (回访) is due this long after resolution"
    )
    attempts_for_early_escalation: int = Field(default=3, ge=1)
    start_level: dict[Tier, Level] = Field(
        default_factory=lambda: {
            Tier.BLUE: Level.GRID,
            Tier.YELLOW: Level.VILLAGE,
            Tier.RED: Level.TOWNSHIP,
        }
    )
    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)

    @property
    def version(self) -> str:
        """A stable id of these values, pinned by each deadline computed with them."""
        values = self.model_dump(mode="json", exclude={"environment"})
        body = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
        return "ladder-" + hashlib.sha256(body).hexdigest()[:12]
