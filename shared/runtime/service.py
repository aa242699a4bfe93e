"""What a service contributes to a process: HTTP routers and background workers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter

from shared.runtime.context import AppContext
from shared.settings_base import ServiceSettings

Worker = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ServiceModule:
    name: str
    routers: Sequence[APIRouter] = ()
    workers: Callable[[AppContext], list[tuple[str, Worker]]] = field(default=lambda _context: [])
    settings: Sequence[type[ServiceSettings]] = ()
    """Its own settings classes, read and checked before the process starts."""
