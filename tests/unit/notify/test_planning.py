"""Who is told what (RULES.md §1, §3, §6): orders, backups, warnings and 12345 feedback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from services.intake.address import locate
from services.notify.feedback import plan_feedback
from services.notify.plan import Situation
from services.notify.planners import plan_orders
from shared.api.signing import signature, verify
from shared.cases.fold import fold
from shared.config import CommonSettings
from shared.events.envelope import EventEnvelope
from shared.org.levels import Level
from shared.org.loader import load_org_tree

TREE = load_org_tree(CommonSettings().org_file)
GRID = next(g for g in TREE.units(level=Level.GRID) if g.backup.webhook_url)
VILLAGE, TOWNSHIP = TREE.ancestors(GRID.code)[0], TREE.ancestors(GRID.code)[1]
AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CHANNELS = frozenset({"webhook", "sms", "hotline"})


def envelope(seq: int, kind: str, payload: dict[str, Any]) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"e{seq}"),
        event_type=kind,
        schema_version=1,
        case_id="c1",
        sequence=seq,
        occurred_at=AT,
        recorded_at=AT,
        correlation_id=uuid.uuid5(uuid.NAMESPACE_URL, "corr"),
        producer="test",
        payload=payload,
    )


def reported(source: str = "rest") -> EventEnvelope:
    return envelope(
        1,
        "CaseReported",
        {
            "title": "噪音",
            "description": "夜间噪音",
            "unit_code": GRID.code,
            "number": "330681-2026-000001",
            "source": source,
            "external_ref": "GD1" if source == "hotline_12345" else None,
            "parties": [{"name": "张三", "phone": "0575-1234567", "role": "applicant"}],
        },
    )


def assigned(seq: int = 2) -> EventEnvelope:
    return envelope(
        seq,
        "CaseAssigned",
        {
            "level": "grid",
            "unit_code": GRID.code,
            "tier": "blue",
            "assignment": 1,
            "order_id": "c1.1",
            "assigned_at": AT.isoformat(),
            "deadline_at": AT.isoformat(),
            "ack_due_at": AT.isoformat(),
            "ladder_version": "v",
            "cause": "triage",
            "timers": [],
        },
    )


def situation(history: list[EventEnvelope], channels: frozenset[str] = CHANNELS) -> Situation:
    case = fold(history)
    assert case is not None
    return Situation(event=history[-1], case=case, tree=TREE, channels=channels)


def test_an_assignment_orders_the_unit_primary_on_each_preferred_channel() -> None:
    (order,) = plan_orders(situation([reported(), assigned()]))
    assert order.purpose == "order" and order.unit_code == GRID.code  # type: ignore[attr-defined]
    channels = [d.channel for d in order.deliveries]  # type: ignore[attr-defined]
    assert channels == list(GRID.primary.channels)
    assert order.show_parties is True  # type: ignore[attr-defined]


def test_planning_twice_gives_the_same_ids() -> None:
    history = [reported(), assigned()]
    assert plan_orders(situation(history)) == plan_orders(situation(history))


def test_a_channel_this_deployment_lacks_is_skipped() -> None:
    (order,) = plan_orders(situation([reported(), assigned()], channels=frozenset({"sms"})))
    assert [d.channel for d in order.deliveries] == ["sms"]  # type: ignore[attr-defined]


def test_a_lapsed_ack_resends_to_the_backup_and_warns_the_level_above() -> None:
    lapsed = envelope(
        3,
        "AcknowledgementLapsed",
        {
            "order_id": "c1.1",
            "level": "grid",
            "unit_code": GRID.code,
            "resend_to_backup": True,
            "warn_unit_code": VILLAGE.code,
        },
    )
    backup, warning = plan_orders(situation([reported(), assigned(), lapsed]))
    assert (backup.recipient, backup.unit_code) == ("backup", GRID.code)  # type: ignore[attr-defined]
    assert [d.channel for d in backup.deliveries] == list(GRID.backup.channels)  # type: ignore[attr-defined]
    assert (warning.purpose, warning.unit_code) == ("warning", VILLAGE.code)  # type: ignore[attr-defined]
    assert warning.show_parties is False  # type: ignore[attr-defined]


def test_the_hotline_hears_acknowledged_once_and_nothing_about_other_cases() -> None:
    ack = {"order_id": "c1.1", "level": "grid", "acknowledged_at": AT.isoformat(), "by": "x"}
    history = [reported("hotline_12345"), assigned(), envelope(3, "OrderAcknowledged", ack)]
    (told,) = plan_feedback(situation(history), earlier_types={"CaseReported", "CaseAssigned"})
    assert told.status == "签收" and told.work_order_no == "GD1"  # type: ignore[attr-defined]
    assert plan_feedback(situation(history), earlier_types={"OrderAcknowledged"}) == []
    rest = [reported("rest"), assigned(), envelope(3, "OrderAcknowledged", ack)]
    assert plan_feedback(situation(rest), earlier_types=set()) == []


def test_an_address_is_placed_at_its_deepest_named_unit() -> None:
    placed = locate(f"{TOWNSHIP.name}{VILLAGE.name}门口", TREE)
    assert placed is not None and placed.code == VILLAGE.code
    assert locate("火星", TREE) is None


def test_a_signature_covers_timestamp_and_body() -> None:
    good = signature(b"k", timestamp="1700000000", body=b"{}")
    assert verify(b"k", timestamp="1700000000", body=b"{}", given=good)
    assert not verify(b"k", timestamp="1700000001", body=b"{}", given=good)
    assert not verify(b"other", timestamp="1700000000", body=b"{}", given=good)
