"""Every planner by cause, and ``plan_orders``: the notices one case event produces."""

from __future__ import annotations

from collections.abc import Callable

from services.notify.plan import LADDER_PLANNERS, Situation
from services.notify.plan_duplicates import DUPLICATE_PLANNERS
from services.notify.plan_requests import PRACTICE_PLANNERS
from shared.cases.catalogue.notify import DispatchOrderIssued
from shared.events.payload import EventPayload

PLANNERS: dict[str, Callable[[Situation], list[DispatchOrderIssued | None]]] = {
    **LADDER_PLANNERS,
    **PRACTICE_PLANNERS,
    **DUPLICATE_PLANNERS,
}


def plan_orders(s: Situation) -> list[EventPayload]:
    planner = PLANNERS.get(s.event.event_type)
    if planner is None:
        return []
    return [notice for notice in planner(s) if notice is not None and notice.deliveries]
