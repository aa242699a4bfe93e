"""Events intake records: a case reported, rejected (退单), or its facts amended."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import ConfigDict, Field

from shared.api.body import ClosedBody
from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.vocabulary import Category


class Source(StrEnum):
    REST = "rest"
    HOTLINE_12345 = "hotline_12345"


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    OTHER = "other"


class Party(ClosedBody):
    """A party to the dispute. Personal data: masked in responses, never logged."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")
    id_number: str | None = Field(default=None, pattern=r"^[0-9]{15}([0-9]{2}[0-9Xx])?$")
    role: PartyRole = PartyRole.APPLICANT


class ReportFacts(EventPayload):
    """What a report says, as received."""

    title: str
    description: str
    unit_code: str
    category: Category | None = None
    parties: tuple[Party, ...] = ()
    parties_count: int | None = None
    amount_cny: Decimal | None = None
    prior_reports: int | None = None
    source: Source = Source.REST
    external_ref: str | None = None
    external_due_at: datetime | None = None
    """The source's own time limit (a 12345 work order's 办理时限), recorded as given."""
    reported_by: str
    fingerprint: str


@register_event
class CaseReported(ReportFacts):
    event_type = "CaseReported"

    number: str
    grid_unit_code: str | None = None
    """The unit the case belongs to after folding a micro-grid (微网格) into its grid."""


@register_event
class CaseRejected(ReportFacts):
    """Refused at intake (退单), for example outside the deployment's jurisdiction."""

    event_type = "CaseRejected"

    reason_code: str
    reason: str


@register_event
class CaseFactsAmended(EventPayload):
    """New facts about a reported case; triage runs again on them."""

    event_type = "CaseFactsAmended"

    description_addition: str | None = None
    category: Category | None = None
    parties_count: int | None = None
    amount_cny: Decimal | None = None
    prior_reports: int | None = None
    amended_by: str
