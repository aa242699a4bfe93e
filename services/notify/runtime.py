"""What the notify service makes at start: the dispatcher of the delivery outbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.notify.dispatcher import Dispatcher


@dataclass(frozen=True)
class NotifyRuntime:
    dispatcher: Dispatcher
