"""A long history: the case page draws its newest 100 events and the earlier ones on request."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server, poll, sign_in


def test_a_long_history_shows_its_newest_events_and_the_rest_on_request(
    server: Server, open_console: Any
) -> None:
    case = server.reported()
    for n in range(100):  # triage answers each: a conflict with it is retried, as it asks
        facts = {"parties_count": 3 + n}
        poll(
            lambda f=facts: (
                server.api.post(f"/v1/cases/{case['id']}/facts", json=f).status_code == 201
            )
        )
    history = f"/v1/cases/{case['id']}/events"
    events = poll(lambda: (e := server.api.get(history).json()) and len(e) > 100 and e)
    page = open_console().page
    sign_in(page, server, "dev")
    page.goto(f"{server.url}/console/#/case/{case['id']}")
    items = page.locator(".timeline li")
    expect(items).to_have_count(100)
    expect(items.first).not_to_contain_text("受理登记")
    earlier = page.get_by_role("button", name="显示更早的")
    expect(earlier).to_be_visible()
    earlier.click()
    poll(lambda: items.count() == len(server.api.get(history).json()))
    expect(items.first).to_contain_text("受理登记")
    assert len(events) > 100
