"""A 12345 work order from intake to close, worked in the console on the simulated clock.

The duty officer (值班员) watches the county's arrivals and sees the work order come in. The
grid worker acknowledges on a 375 px phone and records three failed attempts; the grid's
deadline passes on the simulated clock and the case climbs to the village, which
acknowledges and lets its own deadline pass: it climbs to the township. The township
acknowledges, resolves it, records the follow-up (回访), and it closes. Every step is a
click in the page, the climbs appear without a reload, every time in the history is on the
simulated clock, and the log holds the same walk.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, county_arrivals, poll, sign_in
from tests.integration.conftest import START
from tests.integration.test_intake_api import MY_GRID

PHONE = 375
WORK_ORDER = "GD20260302000777"


def act(page: Page, action: str, **fields: str) -> None:
    """Fill an action's form by its labels, submit it, and await its confirmation."""
    form = page.locator(f'form[data-action="{action}"]')
    for label, value in fields.items():
        control = form.get_by_label(label)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.get_by_role("button", name=action).click()
    expect(page.get_by_role("alert")).to_have_text(f"{action}：已提交")


def deadline_passes(server: Server, case_id: str, level: str) -> None:
    """Move the simulated clock a minute past the case's deadline at ``level``."""
    case = server.case(case_id)
    assert case["level"] == level
    due = datetime.fromisoformat(case["deadline_at"])
    moved = server.api.post(
        "/v1/admin/clock", json={"now": (due + timedelta(minutes=1)).isoformat()}
    )
    assert moved.status_code == 200, moved.text


def test_a_work_order_is_worked_from_intake_to_close_in_the_console(
    server: Server, open_console: Any
) -> None:
    duty = open_console().page
    county_arrivals(duty, server)
    order = {
        "work_order_no": WORK_ORDER,
        "content": "邻居家狗每晚叫到深夜，多次沟通无果。",
        "area_code": MY_GRID.code,
        "appeal_type": "投诉",
    }
    case_id = server.api.post("/v1/hotline/work-orders", json=order).json()["case_id"]
    arrived = duty.locator("table.arrivals tbody tr").filter(has_text=WORK_ORDER)
    expect(arrived).to_contain_text("12345热线")  # seen arriving, without a reload
    case = poll(lambda: (c := server.case(case_id))["order_id"] and c)
    expect(arrived).to_contain_text(case["number"])

    page = open_console(width=PHONE, height=844).page
    sign_in(page, server, "grid-a")
    page.get_by_label("单位").fill(MY_GRID.code)
    page.get_by_label("单位").press("Enter")
    page.get_by_role("link", name=case["number"]).click()
    expect(page.get_by_text(WORK_ORDER)).to_be_visible()
    expect(page.locator(".rung.current")).to_contain_text("网格")
    act(page, "签收")
    for n in range(3):
        act(page, "调处记录", 调处结果="failed", 调处情况=f"第{n + 1}次调解，双方未达成一致")

    deadline_passes(server, case_id, "grid")
    expect(page.locator(".rung.current")).to_contain_text("村（社区）")  # climbed, live
    act(page, "签收")
    deadline_passes(server, case_id, "village")
    expect(page.locator(".rung.current")).to_contain_text("乡镇（街道）")
    act(page, "签收")
    act(page, "化解", 化解方式="mediated", 化解结果="经司法所调解，双方签订协议")
    expect(page.locator(".facts")).to_contain_text("已化解")
    act(page, "回访", 群众是否满意="true", 回访情况="当事人表示满意")
    expect(page.locator(".facts")).to_contain_text("已办结")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE

    events = server.api.get(f"/v1/cases/{case_id}/events").json()
    walked = Counter(e["type"] for e in events)
    assert walked["OrderAcknowledged"] == 3
    assert walked["MediationAttemptRecorded"] == 3
    assert walked["CaseEscalated"] == 2
    assert (walked["CaseResolved"], walked["FollowUpRecorded"], walked["CaseClosed"]) == (1, 1, 1)
    history = f"/v1/cases/{case_id}/events"  # notices go on arriving: the page keeps up
    poll(lambda: page.locator(".timeline li").count() == len(server.api.get(history).json()))
    shown = page.locator(".timeline time").evaluate_all("ts => ts.map(t => t.dateTime)")
    now = datetime.fromisoformat(
        server.api.get("/v1/units/" + MY_GRID.code + "/queue").json()["now"]
    )
    assert all(START <= datetime.fromisoformat(at) <= now for at in shown), shown
