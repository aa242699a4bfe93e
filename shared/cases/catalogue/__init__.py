"""The event catalogue: every event payload a service publishes, one module per producer.

``intake`` (reported, rejected, facts amended), ``triage`` (tier computed or overridden),
``escalation`` (the ladder: assignments, escalations, timers, attempts, pauses, resolution),
``escalation_requests`` (预警, 延期, 退单, 催办 around the ladder), ``notify`` (orders and
notices, their deliveries), ``duplicates`` (reports folded into one case) and ``hotspots``
(研判: a hotspot detected). Importing this
package registers every schema.
"""

from shared.cases.catalogue import (
    duplicates,
    escalation,
    escalation_requests,
    hotspots,
    intake,
    notify,
    triage,
)

__all__ = [
    "duplicates",
    "escalation",
    "escalation_requests",
    "hotspots",
    "intake",
    "notify",
    "triage",
]
