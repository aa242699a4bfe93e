"""Which hotspots a newly counted report raises: a pure decider returning the events.

A report at ``t`` adds to every count whose window holds it. Newly counted reports of one
township and category are decided together: the rule is applied at the earliest of their
times and at the latest report time within a longest window after it (where reports
counted before them, but reported after, are: the report counted last sees the whole burst
at its end). At each, the units the reports count in (grid, village, township) that are
hot become ``HotspotDetected``, the earlier first, unless their stream
already holds a hotspot within ``repeat_after_days`` of it: one burst raises one hotspot,
however many reports it has, and deciding again on the same reports (a redelivery, a retry
after another detector recorded first) raises nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from services.measures.hotspots.rule import Finding, Point, Reports, Rule, hot_at, township_of
from shared.cases.catalogue.hotspots import CASES_NAMED, HotspotDetected, hotspot_stream
from shared.events.envelope import EventEnvelope
from shared.times import parse_utc
from shared.vocabulary import Category


def hotspot_id(unit_code: str, category: str, at: datetime) -> str:
    return f"{hotspot_stream(unit_code, category)}@{at.isoformat()}"


def detected(finding: Finding, category: Category) -> HotspotDetected:
    return HotspotDetected(
        hotspot_id=hotspot_id(finding.unit_code, category, finding.at),
        unit_code=finding.unit_code,
        level=finding.level,
        township_code=township_of(finding.unit_code),
        category=category,
        window_days=finding.window_days,
        detected_at=finding.at,
        cases=len(finding.case_ids),
        baseline=round(finding.baseline, 3),
        case_ids=finding.case_ids[:CASES_NAMED],
    )


def _near(at: datetime, earlier: Sequence[datetime], within: timedelta) -> bool:
    return any(abs(at - when) < within for when in earlier)


def recorded(stream: Sequence[EventEnvelope]) -> list[EventEnvelope]:
    """The hotspots a unit's stream holds (its other events are the warnings' deliveries)."""
    return [e for e in stream if e.event_type == HotspotDetected.event_type]


def detected_at(event: EventEnvelope) -> datetime:
    return parse_utc(event.payload["detected_at"])


def same_hotspot(stream: Sequence[EventEnvelope], at: datetime, rule: Rule) -> EventEnvelope | None:
    """The recorded hotspot that the unit being hot at ``at`` belongs to, if any."""
    within = timedelta(days=rule.repeat_after_days)
    return next(
        (e for e in reversed(recorded(stream)) if _near(at, [detected_at(e)], within)), None
    )


def settled(report: Point, flagged: Mapping[str, Sequence[datetime]], rule: Rule) -> bool:
    """Every unit of the report has a hotspot recorded near its time: nothing to decide."""
    within = timedelta(days=rule.repeat_after_days)
    return all(_near(report.reported_at, flagged.get(u, ()), within) for u in report.units)


def decide(
    reports: Reports,
    *,
    batch: Sequence[Point],
    category: Category,
    flagged: Mapping[str, Sequence[datetime]],
    rule: Rule,
) -> dict[str, list[HotspotDetected]]:
    """The new hotspots by stream, for the units of the reports in ``batch`` (newly
    counted, of one township and category). ``reports``: that township's reports of the
    category from ``rule.reach`` before the earliest of the batch to a longest window after
    the latest, the batch among them; ``flagged``: per unit, when its stream's hotspots were
    detected."""
    within = timedelta(days=rule.repeat_after_days)
    units = sorted({u for report in batch for u in report.units}, key=len, reverse=True)
    seen = {unit: list(flagged.get(unit, ())) for unit in units}
    found: dict[str, list[HotspotDetected]] = {}
    start, latest = min(r.reported_at for r in batch), reports.latest()
    later = [latest] if latest is not None and start < latest < start + rule.longest else []
    for at in [start, *later]:
        open_units = [u for u in units if not _near(at, seen[u], within)]
        hot = hot_at(reports, at, rule) if open_units else {}
        for unit in open_units:
            finding = hot.get(unit)
            if finding is None:
                continue
            seen[unit].append(at)
            found.setdefault(hotspot_stream(unit, category), []).append(detected(finding, category))
    return found
