"""Who is above whom on a case's organisation path."""

from __future__ import annotations

from services.escalation.commands import UnitPath
from shared.org.levels import Level


def unit_above(level: Level, path: UnitPath) -> str | None:
    """The case's unit at the nearest level above ``level`` (None at the county)."""
    parent = level.parent_level
    while parent is not None and parent not in path:
        parent = parent.parent_level
    return path[parent] if parent is not None else None
