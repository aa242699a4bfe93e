"""Ladder configuration per deployment (``FQ_LADDER_*``); every number is a default."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Any, Literal, Self

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
        description="Time limit per level; at the county, also the supervision (督办) period "
        "unless FQ_LADDER_SUPERVISION_DAYS is set",
    )
    supervision_days: int | None = Field(
        default=None,
        ge=1,
        description="County supervision (督办) is raised again every this many days while the "
        "case stays open; unset: the county's time limit in FQ_LADDER_LIMIT_DAYS",
    )
    day_mode: Literal["calendar", "working"] = "calendar"
    ack_hours: dict[Tier, float] = Field(
        default_factory=lambda: {Tier.RED: 1.0, Tier.YELLOW: 4.0, Tier.BLUE: 12.0}
    )
    follow_up_days: int = Field(
        default=7, ge=1, description="The follow-up visit (回访) is due this long after resolution"
    )
    attempts_for_early_escalation: int = Field(default=3, ge=1)
    warning_fraction: float = Field(
        default=0.8,
        ge=0,
        lt=1,
        description="Pre-breach warning (预警) when this share of a level's time limit has "
        "passed; 0 disables it",
    )
    chase_fraction: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Chase notice (催办) after this share of the level's time limit without "
        "recorded progress on an acknowledged order; 0 disables it",
    )
    extensions_per_level: int = Field(
        default=1, ge=0, description="Approved extensions (延期) allowed per level"
    )
    extension_max_factor: float = Field(
        default=1.0,
        gt=0,
        description="An extension may move the deadline by at most this many of the "
        "level's time limits",
    )
    arbitration_hours: float = Field(
        default=24.0, gt=0, description="The county centre decides a bounce-back (退单) within"
    )
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
    def supervision_period_days(self) -> int:
        """The supervision (督办) period: its own setting, else the county's time limit."""
        return self.supervision_days or self.limit_days[Level.COUNTY]

    @cached_property
    def version(self) -> str:
        """A stable id of these values, pinned by each deadline computed with them (worked
        out once: every assignment carries it)."""
        # Unset, the supervision period is the county limit: the id stays what it was.
        unset = {"supervision_days"} if self.supervision_days is None else set()
        values = self.model_dump(mode="json", exclude={"environment", *unset})
        body = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
        return "ladder-" + hashlib.sha256(body).hexdigest()[:12]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy whose version is worked out again from its own values."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("version", None)
        return copied
