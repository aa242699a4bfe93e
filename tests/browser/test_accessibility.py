"""axe-core (a file of this repository, tests/browser/vendor) finds no serious or critical
accessibility violation on any page of the console, at desktop and phone widths.

axe is injected into the page by the test, so the test's browser context lets that one
script past the page's Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, sign_in
from tests.browser.test_console import PHONE
from tests.integration.test_intake_api import MY_GRID

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def violations(page: Page) -> list[str]:
    page.add_script_tag(path=AXE)
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, PHONE])
def test_no_serious_violation_on_any_page(server: Server, open_console: Any, width: int) -> None:
    case = server.reported()
    page = open_console(width=width, bypass_csp=True).page
    page.goto(f"{server.url}/")
    page.locator("#key").wait_for()
    assert violations(page) == [], "sign-in"

    sign_in(page, server, "grid-a")
    page.goto(f"{server.url}/console/#/queue?unit={MY_GRID.code}")
    expect(page.get_by_role("link", name=case["number"])).to_be_visible()
    assert violations(page) == [], "queue"

    page.get_by_role("link", name=case["number"]).click()
    expect(page.get_by_role("heading", name=f"案件 {case['number']}")).to_be_visible()
    assert violations(page) == [], "case"

    page.goto(f"{server.url}/console/#/report")
    page.get_by_role("heading", name="受理登记").wait_for()
    assert violations(page) == [], "report"

    page.get_by_role("button", name="退出").click()
    sign_in(page, server, "dev")
    page.goto(f"{server.url}/console/#/ops")
    page.locator(".audit").wait_for()
    assert violations(page) == [], "operations"
