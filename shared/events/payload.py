"""Base class for typed event payloads."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """The typed body of one event type at its current schema version.

    Subclasses name their type in the past tense (``CaseReported``) and bump
    ``schema_version`` when the shape changes, registering an upcaster for the old one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
