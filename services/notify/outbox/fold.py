"""What the log says about one delivery: its notice, its attempts, its outcome so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.notify.outbox.projection import ISSUED
from shared.events.envelope import EventEnvelope


@dataclass(frozen=True)
class DeliveryHistory:
    notice: dict[str, Any] | None
    delivery: dict[str, Any] | None
    attempts: int
    delivered: bool
    failures: int
    retries: int

    @property
    def given_up(self) -> bool:
        """Failed and not re-driven since."""
        return self.failures > self.retries


def delivery_history(stream: list[EventEnvelope], delivery_id: str) -> DeliveryHistory:
    notice = delivery = None
    attempts = failures = retries = 0
    delivered = False
    for event in stream:
        p = event.payload
        if event.event_type in ISSUED:
            for d in p["deliveries"]:
                if d["delivery_id"] == delivery_id:
                    notice, delivery = p, d
        elif p.get("delivery_id") != delivery_id:
            continue
        elif event.event_type == "DeliveryAttemptFailed":
            attempts = max(attempts, p["attempt"])
        elif event.event_type == "DeliveryFailed":
            failures += 1
            attempts = max(attempts, p["attempts"])
        elif event.event_type == "DeliveryRetryRequested":
            retries += 1
        elif event.event_type == "DispatchOrderDelivered":
            delivered = True
    return DeliveryHistory(notice, delivery, attempts, delivered, failures, retries)
