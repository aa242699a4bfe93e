"""Units of the organisation tree and their dispatch contacts (派单联系人)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.org.levels import Level


class Contact(BaseModel):
    """Who receives dispatch orders for a unit, and on which channels, in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    phone: str = Field(pattern=r"^\+?[0-9-]{5,20}$")
    webhook_url: str | None = None
    channels: tuple[str, ...] = ("sms",)


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str = Field(min_length=1)
    level: Level
    parent_code: str | None = None
    team: str = Field(min_length=1, description="The responsible team, e.g. 网格员")
    primary: Contact
    backup: Contact
