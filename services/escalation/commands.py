"""What can be asked of the ladder. ``unit_path`` maps each level to the case's unit there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
)
