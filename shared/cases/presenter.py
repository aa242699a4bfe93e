"""Turn read-model rows and events into API bodies, masking personal data without ``pii``.

Without ``pii`` the parties' fields are masked, and so is the free text (title,
description, notes, results, reasons): phone and ID numbers, and the parties' names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shared.api.masking import mask_id_number, mask_name, mask_phone, mask_strings
from shared.cases.row import CaseRow
from shared.cases.schemas import CaseOut, EventOut, PartyOut
from shared.events.envelope import EventEnvelope


def party_names(parties: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(p["name"]) for p in parties if p.get("name"))


def names_in(stream: Sequence[EventEnvelope]) -> tuple[str, ...]:
    """Every party named in a case's events (the report, amended facts)."""
    return tuple(name for e in stream for name in party_names(e.payload.get("parties") or ()))


def present_party(party: dict[str, Any], *, pii: bool) -> PartyOut:
    name, phone, id_number = party["name"], party.get("phone"), party.get("id_number")
    if not pii:
        name = mask_name(name)
        phone = mask_phone(phone) if phone else None
        id_number = mask_id_number(id_number) if id_number else None
    return PartyOut(name=name, phone=phone, id_number=id_number, role=party.get("role", "other"))


def _free_text(row: CaseRow, *, pii: bool) -> dict[str, Any]:
    details = row["details"]
    text = {
        "title": row["title"],
        "description": details["description"],
        "bounce_back": details.get("bounce_back"),
        "resolution": details.get("resolution"),
        "extension_pending": details.get("extension_pending"),
    }
    if pii:
        return text
    masked: dict[str, Any] = mask_strings(text, party_names(details.get("parties", [])))
    return masked


def present_case(row: CaseRow, *, pii: bool) -> CaseOut:
    details = row["details"]
    text = _free_text(row, pii=pii)
    return CaseOut(
        id=row["id"],
        number=row["number"],
        status=row["status"],
        title=text["title"],
        description=text["description"],
        tier=row["tier"],
        category=row["category"],
        level=row["level"],
        unit_code=row["unit_code"],
        holder_unit_code=row["holder_unit_code"],
        deadline_at=row["deadline_at"],
        source=row["source"],
        external_ref=row["external_ref"],
        parties=[present_party(p, pii=pii) for p in details.get("parties", [])],
        parties_count=details.get("parties_count"),
        amount_cny=details.get("amount_cny"),
        prior_reports=details.get("prior_reports"),
        reported_at=row["reported_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        rejection_reason=row.get("rejection_reason"),
        order_id=details.get("order_id"),
        folded_into=details.get("folded_into"),
        acknowledged=details.get("acknowledged"),
        paused=details.get("paused", False),
        paused_seconds=details.get("paused_seconds", 0),
        overdue_levels=details.get("overdue_levels", []),
        supervision_count=details.get("supervision_count", 0),
        ladder_version=details.get("ladder_version"),
        ruleset_version=details.get("ruleset_version"),
        warned=details.get("warned", False),
        chase_notices=details.get("chase_notices", 0),
        extension_pending=text["extension_pending"],
        extensions_approved=details.get("extensions_approved", 0),
        bounce_back=text["bounce_back"],
        resolution=text["resolution"],
        follow_up_due_at=details.get("follow_up_due_at"),
        follow_up_overdue=details.get("follow_up_overdue", False),
        reopened=details.get("reopened", 0),
    )


def present_event(event: EventEnvelope, *, pii: bool, names: Iterable[str] = ()) -> EventOut:
    """One event; without ``pii`` its free text is masked, with ``names`` (the case's
    parties, see ``names_in``) besides the ones the event itself carries."""
    payload = dict(event.payload)
    if not pii:
        parties = payload.pop("parties", None)
        payload = mask_strings(payload, (*names, *party_names(parties or ())))
        if parties is not None:
            payload["parties"] = [
                present_party(p, pii=False).model_dump(exclude_none=True) for p in parties
            ]
    return EventOut(
        event_id=str(event.event_id),
        type=event.event_type,
        version=event.schema_version,
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        causation_id=str(event.causation_id) if event.causation_id else None,
        correlation_id=str(event.correlation_id),
        producer=event.producer,
        payload=payload,
    )
