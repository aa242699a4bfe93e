"""A hotspot warns its township and the county centre (网格预警), without parties, with the
same deliveries however often it is planned (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.measures.hotspots.decide import detected
from services.measures.hotspots.rule import Finding
from services.notify.config import NotifySettings
from services.notify.message import compose, no_case
from services.notify.plan_hotspots import plan_hotspot_warnings
from shared.cases.catalogue.hotspots import hotspot_stream
from shared.config import CommonSettings
from shared.events.envelope import EventEnvelope, new_event
from shared.org.levels import Level
from shared.org.loader import load_org_tree
from shared.vocabulary import Category

TREE = load_org_tree(CommonSettings().org_file)
GRID = TREE.units(level=Level.GRID)[0]
VILLAGE, TOWNSHIP = TREE.ancestors(GRID.code)[0], TREE.ancestors(GRID.code)[1]
AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CHANNELS = frozenset({"webhook", "sms"})


def hotspot_event() -> EventEnvelope:
    finding = Finding(
        unit_code=VILLAGE.code,
        level=Level.VILLAGE,
        window_days=7,
        at=AT,
        case_ids=tuple(f"case-{i}" for i in range(6)),
        baseline=0.0,
    )
    payload = detected(finding, Category.NEIGHBOUR)
    stream = hotspot_stream(VILLAGE.code, "neighbour")
    return new_event(payload, case_id=stream, producer="hotspots", idempotency_key="k")


def test_the_township_and_the_county_centre_are_warned_once_each() -> None:
    event = hotspot_event()
    notices = plan_hotspot_warnings(event, TREE, CHANNELS)
    assert [(n.unit_code, n.purpose) for n in notices] == [
        (TOWNSHIP.code, "hotspot_warning"),
        (TREE.county.code, "hotspot_warning"),
    ]
    assert all(not n.show_parties and n.order_id is None for n in notices)
    assert VILLAGE.name in notices[0].summary and "近7天6件" in notices[0].summary
    again = plan_hotspot_warnings(event, TREE, CHANNELS)
    assert [n.deliveries for n in again] == [n.deliveries for n in notices]


def test_the_warning_names_the_hotspot_and_no_party() -> None:
    event = hotspot_event()
    (township, _county) = plan_hotspot_warnings(event, TREE, CHANNELS)
    notice = township.model_dump(mode="json")
    delivery = notice["deliveries"][0]
    message = compose(
        notice,
        delivery=delivery,
        case=no_case(event.case_id),
        tree=TREE,
        settings=NotifySettings(),
    )
    assert message.body["case_number"].startswith(f"hotspot-{VILLAGE.code}-neighbour@")
    assert message.body["case_id"] == event.case_id
    assert message.body["parties"] == []
    assert uuid.UUID(message.body["notice_id"].split(".")[0])
