"""Everything a running service holds: settings, the log, the database, the org tree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.api.auth import KeyRing
from shared.config import CommonSettings
from shared.log.port import EventLog
from shared.org.tree import OrgTree
from shared.runtime.clock import Clock


@dataclass
class AppContext:
    settings: CommonSettings
    log: EventLog
    engine: AsyncEngine
    tree: OrgTree
    keys: KeyRing
    clock: Clock = field(default_factory=Clock)
    extras: dict[str, object] = field(default_factory=dict)
    stoppers: dict[str, Callable[[], None]] = field(default_factory=dict)
    """Per worker name: ask it to finish what it holds and return (graceful shutdown)."""
