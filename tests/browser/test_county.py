"""The duty officer's (值班员) county-wide arrivals, and the queue filtered by category."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server, county_arrivals, poll, sign_in
from tests.integration.test_intake_api import MY_GRID, OTHER_GRID


def a_minute_on(server: Server) -> None:
    """The simulated clock stands still until moved: the next case arrives a minute later."""
    moved = server.api.post("/v1/admin/clock/advance", json={"seconds": 60})
    assert moved.status_code == 200, moved.text


def test_the_duty_officer_sees_new_cases_arrive_from_across_the_county(
    server: Server, open_console: Any
) -> None:
    page = open_console().page
    county_arrivals(page, server)

    a_minute_on(server)
    here = server.reported(title="村口道路占道经营纠纷")
    a_minute_on(server)
    there = server.reported(title="相邻土地边界纠纷", unit_code=OTHER_GRID.code)
    rows = page.locator("table.arrivals tbody tr")
    expect(rows.nth(0)).to_contain_text(there["number"])  # newest first, without a reload
    expect(rows.nth(1)).to_contain_text(here["number"])
    expect(rows.nth(0)).to_contain_text("相邻土地边界纠纷")


def test_the_queue_shows_one_category_when_asked(server: Server, open_console: Any) -> None:
    family = server.reported(
        title="婆媳因家务琐事口角", description="婆媳二人因家务琐事多次口角，家人劝解无果。"
    )
    other = server.reported()  # a neighbours' noise dispute
    held = {c["holder_unit_code"] for c in (family, other)}
    assert held == {MY_GRID.code} and family["category"] == "marriage_family" != other["category"]
    queue = f"/v1/units/{MY_GRID.code}/queue"
    poll(
        lambda: (
            family["id"]
            in {i["case_id"] for i in server.api.get(queue, params={"limit": 500}).json()["items"]}
        )
    )
    page = open_console().page
    sign_in(page, server, "grid-a")
    page.get_by_label("单位").fill(MY_GRID.code)
    page.get_by_label("类别").select_option("marriage_family")
    with page.expect_response(lambda r: "category=marriage_family" in r.url and "/queue" in r.url):
        page.get_by_role("button", name="筛选").click()
    table = page.locator("table.queue")
    expect(table).to_contain_text(family["number"])
    expect(table).not_to_contain_text(other["number"])
    expect(table.locator("tbody tr").first).to_contain_text("婚姻家庭")
