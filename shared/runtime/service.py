"""What a service contributes to a process: HTTP routers and background workers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter

from shared.runtime.context import AppContext

Worker = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ServiceModule:
    name: str
    routers: Sequence[APIRouter] = ()
    workers: Callable[[AppContext], list[tuple[str, Worker]]] = field(default=lambda _context: [])
