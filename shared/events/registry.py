"""The explicit registry of event types and the upcasters of their older versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shared.events.payload import EventPayload

RawPayload = dict[str, Any]
Upcaster = Callable[[RawPayload], RawPayload]
P = TypeVar("P", bound=type[EventPayload])


class UnknownEventType(LookupError):
    """An event whose type this build does not know."""


class EventRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[EventPayload]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, payload_type: P) -> P:
        name = payload_type.event_type
        known = self._types.get(name)
        if known is not None and known is not payload_type:
            raise ValueError(f"event type {name!r} is registered twice")
        self._types[name] = payload_type
        return payload_type

    def upcaster(self, event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning a payload of ``from_version`` into ``from_version + 1``."""

        def decorate(function: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = function
            return function

        return decorate

    def payload_type(self, event_type: str) -> type[EventPayload]:
        try:
            return self._types[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type!r}") from None

    def upcast(self, event_type: str, version: int, raw: RawPayload) -> tuple[int, RawPayload]:
        """Bring a stored payload up to the current version of its type."""
        current = self.payload_type(event_type).schema_version
        if version > current:
            raise UnknownEventType(
                f"{event_type} v{version} is newer than this build knows (v{current})"
            )
        while version < current:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {event_type} v{version}")
            raw = step(raw)
            version += 1
        return version, raw

    def decode(self, event_type: str, version: int, raw: RawPayload) -> EventPayload:
        _, current = self.upcast(event_type, version, raw)
        return self.payload_type(event_type).model_validate(current)

    def knows(self, event_type: str) -> bool:
        return event_type in self._types


REGISTRY = EventRegistry()


def register_event(payload_type: P) -> P:
    """Class decorator: add an event payload type to the process-wide registry."""
    return REGISTRY.register(payload_type)
