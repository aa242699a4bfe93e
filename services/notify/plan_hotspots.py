"""Who is warned of a hotspot (研判, 网格预警): its township and the county centre. No I/O.

A hotspot is not a case: its notices carry the hotspot's id where a case number would be,
a summary of the count against the baseline, and no parties. Their ids derive from the
``HotspotDetected`` event, so planning it twice plans the same deliveries.
"""

from __future__ import annotations

from collections.abc import Collection

from services.notify.plan import deliveries_for
from shared.cases.catalogue.notify import DispatchOrderIssued
from shared.events.envelope import EventEnvelope
from shared.org.tree import OrgTree

CATEGORY_WORDS = {
    "neighbour": "邻里",
    "marriage_family": "婚姻家庭",
    "support": "赡养抚养",
    "land": "土地",
    "demolition": "征地拆迁",
    "labour": "劳动欠薪",
    "property_mgmt": "物业",
    "medical": "医疗",
    "consumer": "消费",
    "traffic": "交通",
    "school": "校园",
    "other": "其他",
}


def summary(payload: dict[str, object], unit_name: str) -> str:
    category = CATEGORY_WORDS.get(str(payload["category"]), str(payload["category"]))
    return (
        f"网格预警：{unit_name}「{category}」类纠纷近{payload['window_days']}天"
        f"{payload['cases']}件，基线{payload['baseline']}件"
    )


def plan_hotspot_warnings(
    event: EventEnvelope, tree: OrgTree, channels: Collection[str]
) -> list[DispatchOrderIssued]:
    """One warning to the hotspot's township and one to the county centre."""
    p = event.payload
    hot = tree.get(p["unit_code"])
    text = summary(p, hot.name if hot else p["unit_code"])
    notices = []
    for index, code in enumerate(dict.fromkeys((p["township_code"], tree.county.code))):
        unit = tree.get(code)
        if unit is None:
            continue
        notice_id = f"{event.event_id}.{index}"
        notices.append(
            DispatchOrderIssued(
                notice_id=notice_id,
                purpose="hotspot_warning",
                order_id=None,
                unit_code=unit.code,
                level=unit.level,
                recipient="primary",
                team=unit.team,
                case_number=p["hotspot_id"],
                tier=None,
                category=p["category"],
                summary=text,
                deadline_at=None,
                ack_due_at=None,
                show_parties=False,
                deliveries=deliveries_for(unit.primary, notice_id, channels),
            )
        )
    return [n for n in notices if n.deliveries]
