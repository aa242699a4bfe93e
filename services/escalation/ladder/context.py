"""What every ladder rule shares: the refusal, the context of a decision, timer ids, the
case's organisation path, and the invariant that a case is assigned and open.

Timer ids are ``<case>|<kind>|<assignment>|<serial>``: serial 0 for the timers of an
assignment, ``resume number + 1000 × supervisions`` for a deadline re-planned by a resumed
pause, and from ``REPLANNED`` upwards for every other re-planned timer, so no two clash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.ladder.commands import UnitPath
from services.escalation.ladder.state import LadderState
from shared.org.levels import Level

REPLANNED = 100_000
"""Serials of timers planned after an assignment start here (no clash with resume's)."""


class Refused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Context:
    now: datetime
    settings: LadderSettings
    calendar: BusinessCalendar


def timer_id(case_id: str, kind: str, assignment: int, serial: int = 0) -> str:
    return f"{case_id}|{kind}|{assignment}|{serial}"


def timer_kind(timer: str) -> str:
    return timer.split("|")[1]


def serial(state: LadderState) -> int:
    """The serial of the next re-planned timer of the case."""
    return REPLANNED + state.planned


def case_of_order(order_id: str) -> str:
    """Dispatch order ids are ``<case id>.<assignment number>``."""
    return order_id.rpartition(".")[0]


def unit_above(level: Level, path: UnitPath) -> str | None:
    """The case's unit at the nearest level above ``level`` (None at the county)."""
    parent = level.parent_level
    while parent is not None and parent not in path:
        parent = parent.parent_level
    return path[parent] if parent is not None else None


def check_assigned(state: LadderState) -> Level:
    """The level holding the case; refused when it is resolved, closed or not assigned."""
    if state.resolved_level is not None and not state.finished:
        raise Refused("resolved", "the case is resolved; its follow-up visit (回访) comes next")
    if state.closed:
        raise Refused("closed", "the case is closed")
    if state.level is None:
        raise Refused("not-assigned", "the case is not assigned to a level yet")
    return state.level
