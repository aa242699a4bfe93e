"""Request and response bodies of the intake API (v1); a case and an event as served
are ``shared/cases/schemas.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.api.body import ClosedBody
from shared.cases.catalogue.intake import Party, Source
from shared.cases.schemas import CaseOut
from shared.vocabulary import Category

EXAMPLE_REPORT: dict[str, Any] = {
    "title": "邻居装修噪音纠纷",
    "description": "楼上住户连续一周夜间装修，噪音很大，双方多次争吵。",
    "unit_code": "330681106001001",
    "parties": [{"name": "张三", "phone": "0575-87012345", "role": "applicant"}],  # example
    "parties_count": 2,
    "source": "rest",
}


class CaseReportIn(ClosedBody):
    """A dispute or complaint as reported by a client system."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REPORT]})

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10_000)
    unit_code: str = Field(
        pattern=r"^[0-9]{6}([0-9]{6}([0-9]{3}([0-9]{3})?)?)?$",
        description="Where it happened: a unit code (grid, village, ...; micro-grids fold in)",
    )
    category: Category | None = None
    parties: list[Party] = Field(default_factory=list, max_length=200)
    parties_count: int | None = Field(default=None, ge=1, le=100_000)
    amount_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    prior_reports: int | None = Field(default=None, ge=0, le=1000)
    source: Source = Source.REST
    external_ref: str | None = Field(default=None, max_length=100)


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class FactsAmendmentIn(ClosedBody):
    """New facts about a reported case; triage runs again on them."""

    description_addition: str | None = Field(default=None, min_length=1, max_length=10_000)
    category: Category | None = None
    parties_count: int | None = Field(default=None, ge=1, le=100_000)
    amount_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    prior_reports: int | None = Field(default=None, ge=0, le=1000)
