"""An event type used only by the log contract tests."""

from __future__ import annotations

import uuid

from shared.events.envelope import EventEnvelope, new_event
from shared.events.payload import EventPayload
from shared.events.registry import register_event


@register_event
class ContractNoted(EventPayload):
    event_type = "ContractNoted"

    note: str


def noted(case_id: str, note: str, *, key: str | None = None, index: int = 0) -> EventEnvelope:
    return new_event(
        ContractNoted(note=note),
        case_id=case_id,
        producer="contract-test",
        idempotency_key=key,
        index=index,
    )


def new_case() -> str:
    return f"case-{uuid.uuid4()}"
