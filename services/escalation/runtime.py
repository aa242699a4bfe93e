"""What the escalation service makes at start: the ladder, and which timers it fires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.escalation.service import Ladder


@dataclass(frozen=True)
class EscalationRuntime:
    ladder: Ladder
    owned_partitions: Callable[[], frozenset[int] | None]
    """The partitions whose timers this instance fires now."""
