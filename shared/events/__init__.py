"""Events: the envelope, typed payloads, the registry of types and the JSON codec."""

from shared.events.envelope import EventEnvelope, new_event
from shared.events.payload import EventPayload
from shared.events.registry import REGISTRY, register_event

__all__ = ["REGISTRY", "EventEnvelope", "EventPayload", "new_event", "register_event"]
