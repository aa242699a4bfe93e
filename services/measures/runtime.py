"""What the measures read models make at start: the progress of each projection."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.measures.hotspots.config import HotspotSettings
from services.measures.hotspots.settle import Applied
from shared.consumers.progress import Progress


@dataclass(frozen=True)
class MeasuresRuntime:
    queues: Progress
    """Commits of the unit work queues (``projection.unit_queue``)."""
    facts: Progress
    """Commits of the facts behind the measures (``projection.measure_facts``)."""
    hotspots: Applied = field(default_factory=Applied)
    """What the reports hotspots count (``projection.hotspot_cases``) applied."""
    hotspot_settings: HotspotSettings = field(default_factory=HotspotSettings)
    """The hotspot rule (``FQ_HOTSPOT_*``)."""
