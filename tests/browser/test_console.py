"""The console in Chromium: sign in, the queue, a case, acting on it; rights and masking.

Each test drives the page as a person would (labels, buttons, the keyboard) against the
running system, and checks what the API then holds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, Visit, poll, sign_in
from tests.integration.test_intake_api import MY_GRID, OTHER_GRID

PHONE = 390
LIVE_MS = 5000
"""A change shows within 2 s (the page asks every 2 s), plus drawing it on a busy machine."""
TIERS = {"red": "红色", "yellow": "黄色", "blue": "蓝色"}
SCREENSHOTS = os.environ.get("FQ_CONSOLE_SCREENSHOTS")
"""A directory to keep the pages the walk sees (the README's pictures come from here)."""


def picture(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"{name}.png", full_page=True)


def page_fetch(page: Page, method: str, path: str, *, with_token: bool) -> Any:
    """A request the page's own script could make, with the session's CSRF token or not."""
    return page.evaluate(
        """async ([method, path, withToken]) => {
            const session = await (await fetch("/console/session")).json();
            const headers = {"Content-Type": "application/json"};
            if (withToken) headers["X-CSRF-Token"] = session.csrf;
            const body = method === "GET" ? undefined : "{}";
            const r = await fetch(path, {method, headers, body});
            return {status: r.status, body: await r.json()};
        }""",
        [method, path, with_token],
    )


def open_case_from_queue(page: Page, case: dict[str, Any]) -> None:
    page.get_by_label("单位").fill(MY_GRID.code)
    page.get_by_label("单位").press("Enter")
    link = page.get_by_role("link", name=case["number"])
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"案件 {case['number']}")).to_be_visible()


def test_a_grid_worker_on_a_phone_acknowledges_and_records_an_attempt(
    server: Server, open_console: Any
) -> None:
    case = server.reported()
    visit: Visit = open_console(width=PHONE, height=844)
    page = visit.page
    sign_in(page, server, "grid-a")
    page.get_by_label("单位").fill(MY_GRID.code)
    page.get_by_label("单位").press("Enter")
    row = page.get_by_role("row").filter(has_text=case["number"])
    expect(row).to_contain_text("待签收")
    expect(row.locator(".tier")).to_have_text(
        {"red": "红色", "yellow": "黄色", "blue": "蓝色"}[case["tier"]]
    )
    expect(row).to_contain_text("剩余")
    picture(page, "queue-phone")

    open_case_from_queue(page, case)
    parties = page.locator(".party").first
    expect(parties).to_contain_text("170****5678")  # masked: this key has no pii role
    expect(parties).not_to_contain_text("17012345678")
    expect(page.locator(".rung.current")).to_contain_text("网格")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE

    page.locator('form[data-action="签收"]').get_by_role("button", name="签收").click()
    expect(page.get_by_role("alert")).to_have_text("签收：已提交")
    expect(page.locator('.timeline li[data-type="OrderAcknowledged"]')).to_be_visible()
    attempt = page.locator('form[data-action="调处记录"]')
    attempt.get_by_label("调处结果").select_option("failed")
    attempt.get_by_label("调处情况").fill("双方各执一词，调解未果")
    attempt.get_by_role("button", name="调处记录").click()
    expect(page.locator('.timeline li[data-type="MediationAttemptRecorded"]')).to_contain_text(
        "调解未果"
    )
    assert server.case(case["id"])["acknowledged"] is True
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    picture(page, "case-phone")


def test_a_refusal_is_told_in_chinese(server: Server, open_console: Any) -> None:
    case = server.reported()
    page = open_console().page
    sign_in(page, server, "grid-a")
    page.goto(f"{server.url}/console/#/case/{case['id']}")
    pause = page.locator('form[data-action="暂停计时"]')
    pause.get_by_label("理由").fill("等待当事人回复")
    paused = server.api.post(f"/v1/cases/{case['id']}/pause", json={"reason": "已由县中心暂停"})
    assert paused.status_code == 201, paused.text
    pause.get_by_role("button", name="暂停计时").click()
    expect(page.get_by_role("alert")).to_have_text("暂停计时未成功：计时已暂停")


def test_a_key_without_the_role_is_offered_nothing_and_refused_by_the_api(
    server: Server, open_console: Any
) -> None:
    case = server.reported()
    page = open_console().page
    sign_in(page, server, "reader-a")
    page.goto(f"{server.url}/console/#/case/{case['id']}")
    expect(page.get_by_role("heading", name=f"案件 {case['number']}")).to_be_visible()
    expect(page.locator("form.action")).to_have_count(1)  # 补充事实 (reporter) alone
    expect(page.locator('form[data-action="签收"]')).to_have_count(0)

    ack = f"/v1/cases/{case['id']}/acknowledgement"
    refused = page_fetch(page, "POST", ack, with_token=True)
    assert refused["status"] == 403 and refused["body"]["required_role"] == "handler"
    assert server.case(case["id"])["acknowledged"] is False


def test_a_change_without_the_csrf_token_is_refused_and_the_key_is_out_of_reach(
    server: Server, open_console: Any
) -> None:
    case = server.reported()
    page = open_console().page
    sign_in(page, server, "grid-a")
    ack = f"/v1/cases/{case['id']}/acknowledgement"
    refused = page_fetch(page, "POST", ack, with_token=False)
    assert refused["status"] == 403 and refused["body"]["type"].endswith(":csrf")
    assert server.case(case["id"])["acknowledged"] is False
    assert "fq_session" not in page.evaluate("document.cookie")  # HttpOnly
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert "grid-a" not in page.url


def test_another_regions_key_cannot_see_the_case(server: Server, open_console: Any) -> None:
    case = server.reported()
    page = open_console().page
    sign_in(page, server, "handler-b")
    page.goto(f"{server.url}/console/#/case/{case['id']}")
    expect(page.get_by_role("alert")).to_contain_text("未找到该案件")
    expect(page.get_by_role("heading", name=f"案件 {case['number']}")).to_have_count(0)
    assert page_fetch(page, "GET", f"/v1/cases/{case['id']}", with_token=False)["status"] == 404
    queue = page_fetch(page, "GET", f"/v1/units/{MY_GRID.code}/queue", with_token=False)
    assert queue["status"] == 404
    poll(lambda: server.case(case["id"])["order_id"])  # the case is there all along


def test_the_queue_and_the_case_show_what_happens_without_a_reload(
    server: Server, open_console: Any
) -> None:
    first = server.reported()
    page = open_console().page
    sign_in(page, server, "grid-a")
    page.get_by_label("单位").fill(MY_GRID.code)
    page.get_by_label("单位").press("Enter")
    expect(page.get_by_role("link", name=first["number"])).to_be_visible()
    second = server.reported(title="新来的纠纷")
    expect(page.get_by_role("link", name=second["number"])).to_be_visible(timeout=LIVE_MS)

    page.get_by_role("link", name=second["number"]).click()
    expect(page.get_by_role("heading", name=f"案件 {second['number']}")).to_be_visible()
    acknowledged = page.locator('.timeline li[data-type="OrderAcknowledged"]')
    expect(acknowledged).to_have_count(0)
    assert server.api.post(f"/v1/cases/{second['id']}/acknowledgement").status_code == 201
    expect(acknowledged).to_be_visible(timeout=LIVE_MS)


def test_the_api_documentation_loads_without_the_internet(
    server: Server, open_console: Any
) -> None:
    page = open_console().page
    page.goto(f"{server.url}/docs")
    expect(page.get_by_role("heading", name="Fengqiao case escalation API")).to_be_visible()
    page.goto(f"{server.url}/redoc")
    expect(page.get_by_role("heading", name="Fengqiao case escalation API")).to_be_visible()


def test_a_reporter_registers_a_case_in_a_unit_found_by_name(
    server: Server, open_console: Any
) -> None:
    page = open_console().page
    sign_in(page, server, "reader-a")
    page.get_by_role("link", name="受理登记").click()
    page.get_by_role("heading", name="受理登记").wait_for()
    page.get_by_label("标题", exact=True).fill("宅基地边界纠纷")
    page.get_by_label("事由").fill("两户因宅基地边界争执，需要村里调处。")
    where = page.get_by_label("发生地（输入单位名称或编码）")
    where.fill(MY_GRID.name)
    expect(page.locator(f'#report-units option[value="{MY_GRID.code}"]')).to_have_count(1)
    where.fill(OTHER_GRID.code)
    where.press("Tab")  # leaves the field: its suggestions close, as a person's would
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("alert")).to_have_text("受理登记未成功：不在您的辖区内")

    where.fill(MY_GRID.code)
    where.press("Tab")
    page.get_by_role("button", name="登记").click()
    heading = page.get_by_role("heading", name="案件 ")
    expect(heading).to_be_visible()
    number = heading.inner_text().removeprefix("案件 ")

    def listed() -> list[str]:
        found = server.api.get("/v1/cases", params={"unit": MY_GRID.code, "limit": 500}).json()
        return [c["title"] for c in found["items"] if c["number"] == number]

    assert poll(listed) == ["宅基地边界纠纷"]


def test_operations_show_deliveries_and_the_timer_audit_to_those_whose_role_it_is(
    server: Server, open_console: Any
) -> None:
    case = server.reported()
    poll(lambda: server.api.get("/v1/admin/deliveries", params={"case_id": case["id"]}).json())
    page = open_console().page
    sign_in(page, server, "grid-a")
    expect(page.get_by_role("link", name="运维")).to_be_hidden()
    page.get_by_role("button", name="退出").click()

    sign_in(page, server, "dev")
    page.get_by_role("link", name="运维").click()
    expect(page.locator(".deliveries")).to_contain_text(case["id"][:8])
    expect(page.locator(".audit")).to_contain_text("漏触发")
    expect(page.locator(".audit dd").nth(3)).to_have_text("0")


def test_a_case_is_found_by_its_12345_work_order_number(server: Server, open_console: Any) -> None:
    order = {
        "work_order_no": "GD-SEARCH-4521",
        "content": "小区垃圾清运不及时",
        "area_code": MY_GRID.code,
    }
    case_id = server.api.post("/v1/hotline/work-orders", json=order).json()["case_id"]
    number = server.case(case_id)["number"]
    listed = {"q": "SEARCH-4521"}  # the case list (a read model) holds it before the search
    poll(lambda: server.api.get("/v1/cases", params=listed).json()["items"])
    page = open_console().page
    sign_in(page, server, "grid-a")
    page.get_by_label("搜索（案件编号、12345工单号、标题）").fill("SEARCH-4521")
    page.keyboard.press("Enter")
    results = page.locator("table.search tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(number)
    expect(results).to_contain_text("GD-SEARCH-4521")
