"""Everything a running service holds: settings, the log, the database, the org tree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.api.auth import KeyRing
from shared.config import CommonSettings
from shared.log.port import EventLog
from shared.org.tree import OrgTree
from shared.runtime.clock import Clock

T = TypeVar("T")


class NotRunHere(LookupError):
    """This process does not run the service whose runtime was asked for."""


class Runtimes:
    """What each service made at start for its routes (and its tests), one value per type.

    A service puts one typed value (``EscalationRuntime``, ``NotifyRuntime``, ...) when its
    workers are made; a route or a test asks for it by that type.
    """

    def __init__(self) -> None:
        self._values: dict[type[Any], object] = {}

    def put(self, value: T) -> T:
        self._values[type(value)] = value
        return value

    def get(self, kind: type[T]) -> T | None:
        return cast("T | None", self._values.get(kind))

    def require(self, kind: type[T]) -> T:
        value = self.get(kind)
        if value is None:
            raise NotRunHere(f"this process does not run {kind.__name__}")
        return value


@dataclass
class AppContext:
    settings: CommonSettings
    log: EventLog
    engine: AsyncEngine
    tree: OrgTree
    keys: KeyRing
    clock: Clock = field(default_factory=Clock)
    runtimes: Runtimes = field(default_factory=Runtimes)
    stoppers: dict[str, Callable[[], None]] = field(default_factory=dict)
    """Per worker name: ask it to finish what it holds and return (graceful shutdown)."""
