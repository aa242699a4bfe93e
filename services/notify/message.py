"""Compose what a receiver gets from an issued notice: a JSON body, or SMS parameters.

Webhooks carry what the team needs to act; the parties (name, phone; ID numbers masked)
only for the unit that holds the case. SMS texts never carry personal data: a template id
with the case number, tier, level and times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from services.notify.channels.base import Message
from services.notify.config import NotifySettings
from shared.api.masking import mask_id_number
from shared.cases.row import CaseRow
from shared.org.tree import OrgTree

SHANGHAI = ZoneInfo("Asia/Shanghai")
SMS = "sms"
"""The channel whose messages are SMS texts (``channels/sms.py``)."""
TIER_WORDS = {"red": "红", "yellow": "黄", "blue": "蓝"}
LEVEL_WORDS = {"grid": "网格", "village": "村(社区)", "township": "乡镇(街道)", "county": "县"}


def _local(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%m-%d %H:%M")


def _parties(case: CaseRow) -> list[dict[str, Any]]:
    return [
        {
            "name": p["name"],
            "phone": p.get("phone"),
            "id_number": mask_id_number(p["id_number"]) if p.get("id_number") else None,
            "role": p.get("role", "other"),
        }
        for p in case["details"].get("parties", [])
    ]


def no_case(stream_id: str) -> CaseRow:
    """What a notice about a stream that is no case (a hotspot's) is composed with: its id,
    and no parties."""
    return cast(CaseRow, {"id": stream_id, "details": {}})


def order_body(notice: dict[str, Any], *, case: CaseRow, delivery_id: str) -> dict[str, Any]:
    order_id = notice.get("order_id")
    return {
        "type": "dispatch_order",
        "delivery_id": delivery_id,
        "notice_id": notice["notice_id"],
        "purpose": notice["purpose"],
        "order_id": order_id,
        "ack_path": f"/v1/dispatch-orders/{order_id}/ack" if order_id else None,
        "case_id": case["id"],
        "case_number": notice["case_number"],
        "tier": notice.get("tier"),
        "category": notice.get("category"),
        "summary": notice["summary"],
        "level": notice["level"],
        "unit_code": notice["unit_code"],
        "team": notice["team"],
        "recipient": notice["recipient"],
        "deadline_at": notice.get("deadline_at"),
        "ack_due_at": notice.get("ack_due_at"),
        "parties": _parties(case) if notice["show_parties"] else [],
    }


def hotline_body(notice: dict[str, Any], *, case: CaseRow, delivery_id: str) -> dict[str, Any]:
    keys = ("work_order_no", "status", "case_number", "level", "unit_code", "outcome")
    body = {key: notice.get(key) for key in keys}
    body.update(
        delivery_id=delivery_id,
        case_id=case["id"],
        result_text=notice.get("result_text"),
        satisfied=notice.get("satisfied"),
        reason=notice.get("reason"),
        deadline_at=notice.get("deadline_at"),
        occurred_at=notice["occurred_at"],
    )
    return body


def compose(
    notice: dict[str, Any],
    *,
    delivery: dict[str, Any],
    case: CaseRow,
    tree: OrgTree,
    settings: NotifySettings,
) -> Message:
    delivery_id, channel = delivery["delivery_id"], delivery["channel"]
    if "work_order_no" in notice:
        return Message(
            delivery_id=delivery_id,
            channel=channel,
            body=hotline_body(notice, case=case, delivery_id=delivery_id),
        )
    unit = tree.get(notice["unit_code"])
    contact = (
        None if unit is None else unit.backup if notice["recipient"] == "backup" else unit.primary
    )
    sms = channel == SMS
    return Message(
        delivery_id=delivery_id,
        channel=channel,
        body=order_body(notice, case=case, delivery_id=delivery_id),
        phone=contact.phone if contact else None,
        webhook_url=contact.webhook_url if contact else None,
        sms_template=settings.sms_templates.get(notice["purpose"]) if sms else None,
        sms_params=sms_params(notice) if sms else {},
    )


def sms_params(notice: dict[str, Any]) -> dict[str, str]:
    """The short parameters of an order's SMS text (only an SMS delivery carries them)."""
    return {
        "case_no": notice["case_number"],
        "tier": TIER_WORDS.get(notice.get("tier") or "", ""),
        "level": LEVEL_WORDS.get(notice["level"], notice["level"]),
        "deadline": _local(notice.get("deadline_at")),
        "ack_by": _local(notice.get("ack_due_at")),
    }
