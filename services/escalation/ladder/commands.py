"""What can be asked of the ladder. ``unit_path`` maps each level to the case's unit there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.org.levels import Level
from shared.vocabulary import Tier

UnitPath = Mapping[Level, str]


@dataclass(frozen=True)
class AssignCase:
    tier: Tier
    unit_path: UnitPath


@dataclass(frozen=True)
class ApplyTierChange:
    tier: Tier
    unit_path: UnitPath


@dataclass(frozen=True)
class FireTimer:
    timer_id: str
    unit_path: UnitPath


@dataclass(frozen=True)
class RecordAttempt:
    result: Literal["failed", "succeeded", "partial"]
    note: str
    by: str


@dataclass(frozen=True)
class RequestEarlyEscalation:
    unit_path: UnitPath
    by: str


@dataclass(frozen=True)
class PauseClock:
    reason: str
    by: str


@dataclass(frozen=True)
class ResumeClock:
    by: str
    reason: str = ""


@dataclass(frozen=True)
class AcknowledgeOrder:
    order_id: str
    by: str


Outcome = Literal["mediated", "litigation", "line_department", "withdrawn"]


@dataclass(frozen=True)
class ResolveCase:
    outcome: Outcome
    result_text: str
    by: str
    judicial_confirmation: bool = False


@dataclass(frozen=True)
class RecordFollowUp:
    satisfied: bool
    note: str
    by: str
    unit_path: UnitPath


@dataclass(frozen=True)
class RequestExtension:
    """延期: more time at the level, asked before its deadline."""

    reason: str
    deadline_at: datetime
    by: str
    unit_path: UnitPath


@dataclass(frozen=True)
class DecideExtension:
    request_id: str
    approve: bool
    by: str
    reason: str = ""


@dataclass(frozen=True)
class BounceBack:
    """退单 by the holding unit: the order is not its responsibility."""

    reason: str
    by: str


@dataclass(frozen=True)
class ConfirmBounceBack:
    note: str
    by: str


@dataclass(frozen=True)
class ReassignBounceBack:
    unit_code: str
    new_path: UnitPath
    """The organisation path of the new unit (it is at the case's current level)."""
    note: str
    by: str


Command = (
    AssignCase
    | ApplyTierChange
    | FireTimer
    | RecordAttempt
    | RequestEarlyEscalation
    | PauseClock
    | ResumeClock
    | AcknowledgeOrder
    | ResolveCase
    | RecordFollowUp
    | RequestExtension
    | DecideExtension
    | BounceBack
    | ConfirmBounceBack
    | ReassignBounceBack
)
