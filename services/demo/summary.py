"""The year in figures, folded from the log: tiers, where cases ended, overdue, rates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from shared.log.port import EventLog

LEVELS = ("grid", "village", "township", "county")
TIERS = ("blue", "yellow", "red")


@dataclass
class YearSummary:
    reported: int = 0
    rejected: int = 0
    events: int = 0
    event_types: Counter[str] = field(default_factory=Counter)
    tier_of: dict[str, str] = field(default_factory=dict)
    resolved_level: dict[str, str] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    overdue_by_level: Counter[str] = field(default_factory=Counter)
    assigned_by_level: Counter[str] = field(default_factory=Counter)
    early_escalations: int = 0
    acknowledged: int = 0
    lapsed: int = 0
    supervisions: int = 0
    follow_ups: int = 0
    satisfied: int = 0
    reopened: int = 0
    closed: int = 0
    delivered: int = 0
    delivery_failed: int = 0

    def add(self, event_type: str, case_id: str, payload: dict[str, object]) -> None:
        self.events += 1
        self.event_types[event_type] += 1
        match event_type:
            case "CaseReported":
                self.reported += 1
            case "CaseRejected":
                self.rejected += 1
            case "CaseTriaged" | "TierOverridden" | "CaseReopened":
                self.reopened += event_type == "CaseReopened"
                if isinstance(payload.get("tier"), str):
                    self.tier_of.setdefault(case_id, str(payload["tier"]))
            case "CaseAssigned":
                self.assigned_by_level[str(payload["level"])] += 1
            case "CaseEscalated":
                if payload.get("overdue"):
                    self.overdue_by_level[str(payload["from_level"])] += 1
                if payload.get("reason") == "early_request":
                    self.early_escalations += 1
            case "OrderAcknowledged":
                self.acknowledged += 1
            case "AcknowledgementLapsed":
                self.lapsed += 1
            case "SupervisionRaised":
                self.supervisions += 1
            case "CaseResolved":
                self.resolved_level[case_id] = str(payload["level"])
                self.outcomes[str(payload["outcome"])] += 1
            case "FollowUpRecorded":
                self.follow_ups += 1
                self.satisfied += bool(payload.get("satisfied"))
            case "CaseClosed":
                self.closed += 1
            case "DispatchOrderDelivered":
                self.delivered += 1
            case "DeliveryFailed":
                self.delivery_failed += 1


async def summarise(log: EventLog) -> YearSummary:
    summary = YearSummary()
    async for batch in log.replay():
        for delivery in batch:
            if delivery.event is not None:
                event = delivery.event
                summary.add(event.event_type, event.case_id, event.payload)
    return summary


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def render(s: YearSummary) -> list[str]:
    resolved = Counter(s.resolved_level.values())
    total_resolved = sum(resolved.values())
    in_village = _share(resolved["grid"] + resolved["village"], total_resolved)
    in_township = _share(total_resolved - resolved["county"], total_resolved)
    by_level = ", ".join(
        f"{lv} {resolved[lv]:,} ({_share(resolved[lv], total_resolved)})" for lv in LEVELS
    )
    tiers = Counter(s.tier_of.values())
    lines = [
        f"cases reported: {s.reported:,} ({s.rejected:,} rejected as outside the county); "
        f"events in the log: {s.events:,}",
        "by tier: " + ", ".join(f"{t} {tiers[t]:,}" for t in TIERS),
        f"resolved (last resolution of each case) by level: {by_level}",
        f"  小事不出村 (grid or village): {in_village}; "
        f"大事不出镇 (township or below): {in_township}",
        "outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s.outcomes.items())),
        f"  mediation success rate: {_share(s.outcomes['mediated'], sum(s.outcomes.values()))}",
        "overdue (deadline passed, escalated) by level: "
        + ", ".join(
            f"{lv} {s.overdue_by_level[lv]:,} of {s.assigned_by_level[lv]:,} assignments "
            f"({_share(s.overdue_by_level[lv], s.assigned_by_level[lv])})"
            for lv in LEVELS[:3]
        ),
        f"early escalations after 3 failed attempts: {s.early_escalations:,}; "
        f"supervisions (督办) at the county: {s.supervisions:,}",
        f"dispatch orders acknowledged: {s.acknowledged:,}; lapsed unacknowledged: {s.lapsed:,}",
        f"follow-up visits: {s.follow_ups:,}, satisfied {_share(s.satisfied, s.follow_ups)}; "
        f"reopened: {s.reopened:,}; closed: {s.closed:,}; "
        f"still open: {len(s.tier_of) - s.closed:,}",
        f"deliveries: {s.delivered:,} delivered, {s.delivery_failed:,} failed",
    ]
    return lines
