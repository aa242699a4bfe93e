"""The reaction table of docs/architecture.md, built from the code's own tables."""

from __future__ import annotations

import inspect

import shared.cases.catalogue as catalogue
from services.escalation.handlers import TRIGGERS as LADDER_TRIGGERS
from services.measures.facts.fold import EVOLVERS as FACTS
from services.measures.queues.fold import EVOLVERS as QUEUES
from services.notify.feedback import FEEDBACK
from services.notify.feedback_folded import ATTACHED
from services.notify.outbox.projection import ISSUED, OUTCOMES
from services.notify.planners import PLANNERS
from services.triage.duplicates.folding import TRACKED
from services.triage.handlers import TRIGGERS
from services.triage.history.fold import WANTED as HISTORY
from shared.cases.fold import EVOLVERS as CASES
from shared.cases.fold_requests import REQUEST_EVOLVERS
from shared.events.payload import EventPayload

PUBLISHERS = {
    "intake": "intake",
    "triage": "triage",
    "escalation": "escalation",
    "escalation_requests": "escalation",
    "notify": "notify",
    "duplicates": "triage",
}
"""Catalogue module -> the service that publishes its events."""


def catalogue_events() -> list[tuple[str, str, type[EventPayload]]]:
    """(event type, catalogue module, payload class) for every event of the catalogue."""
    found = []
    for module_name in PUBLISHERS:
        module = getattr(catalogue, module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            event_type = getattr(cls, "event_type", None)
            if issubclass(cls, EventPayload) and cls.__module__ == module.__name__ and event_type:
                found.append((str(event_type), module_name, cls))
    return sorted(found, key=lambda row: (list(PUBLISHERS).index(row[1]), row[0]))


def _read_models(event_type: str, payload: type[EventPayload]) -> str:
    models = [
        name
        for name, wanted in (
            ("case list", event_type in CASES or event_type in REQUEST_EVOLVERS),
            ("unit queues", event_type in QUEUES),
            ("measure facts", event_type in FACTS),
            ("timer index", "timers" in payload.model_fields),
            ("delivery outbox", event_type in ISSUED or event_type in OUTCOMES),
            ("parties' history", event_type in HISTORY),
        )
        if wanted
    ]
    return ", ".join(models) or "—"


def reaction_rows() -> list[str]:
    """One markdown row per event: who publishes it, who reacts, which read models fold it."""
    rows = [
        "| event | published by (catalogue module) | triage | escalation | notify | read models |",
        "|---|---|---|---|---|---|",
    ]
    for event_type, module, payload in catalogue_events():
        notify = [
            label
            for label, table in (
                ("notice", PLANNERS),
                ("12345 feedback", {*FEEDBACK, ATTACHED}),
            )
            if event_type in table
        ]
        triage = "triages" if event_type in TRIGGERS else ""
        triage = "duplicate index" if event_type in TRACKED else triage
        rows.append(
            f"| `{event_type}` | {PUBLISHERS[module]} (`{module}`) "
            f"| {triage} "
            f"| {'assigns / moves up' if event_type in LADDER_TRIGGERS else ''} "
            f"| {', '.join(notify)} | {_read_models(event_type, payload)} |"
        )
    return rows
