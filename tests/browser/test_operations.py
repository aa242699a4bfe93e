"""The 运维 page's dead letters: a record a consumer parked shows with its group, event,
case and reason; a supervisor re-drives it and sees its group handle it again."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from playwright.sync_api import expect

from shared.log.embedded import EmbeddedLog
from tests.browser.conftest import Server, sign_in
from tests.integration.parking import park_report

GROUP = "projection.cases"
REASON = "gave up after 5 attempts: KeyError: 'title'"


async def park(log_url: str, case_id: str) -> None:
    """Park the case's report as the cases projection would have, had it failed on it."""
    log = EmbeddedLog(log_url)
    await log.start()
    try:
        await park_report(log, case_id, group=GROUP, reason=REASON)
    finally:
        await log.close()


def test_a_supervisor_redrives_a_dead_letter_and_sees_it_handled(
    server: Server, open_console: Any
) -> None:
    case = server.reported()
    with ThreadPoolExecutor(1) as aside:  # Playwright's own loop runs in this thread
        aside.submit(asyncio.run, park(server.log_url, case["id"])).result()
    page = open_console().page
    sign_in(page, server, "dev")
    page.get_by_role("link", name="运维").click()
    section = page.get_by_role("region", name="死信（无法处理的事件）")
    row = section.get_by_role("row").filter(has_text=case["id"][:8])
    expect(row).to_contain_text(GROUP)
    expect(row).to_contain_text("受理登记")
    expect(row).to_contain_text(REASON)
    expect(row.locator(".state")).to_have_text("已搁置")

    with page.expect_response(lambda r: r.url.endswith("/redrive")) as answer:
        row.get_by_role("button", name="重新投递").click()
    assert answer.value.status == 202
    expect(page.get_by_role("alert")).to_have_text("重新投递：已提交")
    expect(row.locator(".state")).to_have_text("已重新处理")  # the group handled it again
    expect(row.get_by_role("button", name="重新投递")).to_be_visible()
    letters = server.api.get("/v1/admin/dead-letters", params={"case_id": case["id"]}).json()
    assert [(d["group"], d["state"], d["requested_by"]) for d in letters] == [
        (GROUP, "handled", "dev")
    ]
