"""The 待合并 page: a supervisor sees a report the rule proposed to fold into an open case,
and folds it (合并) with a reason, without a reload; a later proposal appears by itself and
is dismissed (不合并); the page passes the axe check at desktop and phone widths. The
navigation link counts the proposals waiting, on every page, without a reload.

The shared browser server runs with folding off, so this module starts its own, where
nothing folds by the rule and a doubtful match is proposed (as a deployment that wants a
person to decide every fold sets it: docs/duplicates.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, Visit, chromium, launched, poll, sign_in
from tests.browser.test_accessibility import violations
from tests.browser.test_console import PHONE

ACCOUNT = "邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉，已经一个月了。"


@pytest.fixture(scope="module")
def proposing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    chromium()
    with launched(
        tmp_path_factory.mktemp("proposals"),
        FQ_DUPLICATES_ENABLED="true",
        FQ_DUPLICATES_FOLD_THRESHOLD="1.0",
        FQ_DUPLICATES_PROPOSE_THRESHOLD="0.3",
    ) as started:
        yield started


def delivered(server: Server, case_id: str) -> None:
    """The case's order delivered: nothing more is appended to it on its own for hours, so a
    command sent now meets no version conflict."""

    def done() -> bool:
        events = server.api.get(f"/v1/cases/{case_id}/events").json()
        return any(e["type"] == "DispatchOrderDelivered" for e in events)

    poll(done)


def proposed(server: Server) -> dict[str, Any]:
    """Two reports of one barking dog: the second is proposed to fold into the first."""
    server.reported(title="狗叫扰民", description=ACCOUNT)
    server.reported(title="夜里狗叫", description=f"隔壁{ACCOUNT}")

    def listed() -> list[dict[str, Any]]:
        page: dict[str, Any] = server.api.get("/v1/duplicates/proposals").json()
        return page["items"]

    items = poll(listed)
    assert len(items) == 1
    for side in ("report", "candidate"):
        delivered(server, items[0][side]["case_id"])
    return dict(items[0])


def waiting_link(page: Page, count: int) -> None:
    """The navigation link to 待合并 shows ``count`` proposals waiting (none: no count)."""
    link = page.get_by_role("link", name="待合并")
    name = rf"^待合并\s*{count}\s*条待处理$" if count else r"^待合并$"
    expect(link).to_have_accessible_name(re.compile(name))


def test_a_supervisor_folds_one_proposal_and_dismisses_another_without_a_reload(
    proposing: Server, open_console_on: Callable[..., Visit]
) -> None:
    proposal = proposed(proposing)
    report, candidate = proposal["report"], proposal["candidate"]

    for width in (1280, PHONE):  # the axe check, at both widths
        page = open_console_on(proposing, width=width, bypass_csp=True).page
        sign_in(page, proposing, "duty")
        waiting_link(page, 1)
        page.get_by_role("link", name="待合并").click()
        expect(page.get_by_role("heading", name="待合并", exact=True)).to_be_focused()
        expect(page.get_by_role("listitem").filter(has_text=report["number"])).to_be_visible()
        assert violations(page) == [], f"待合并 at {width} px"

    item = page.get_by_role("listitem").filter(has_text=report["number"])
    expect(item).to_contain_text(candidate["number"])
    expect(item).to_contain_text(f"{round(proposal['score'] * 100)}%")
    page.evaluate("window.stillThePage = true")
    item.get_by_label("理由").fill("同一只狗，同一户人家")
    item.get_by_role("button", name="合并", exact=True).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_have_text("合并：已提交")
    expect(item).to_have_count(0)
    expect(page.get_by_text("暂无待合并的反映")).to_be_visible()
    waiting_link(page, 0)
    assert page.evaluate("window.stillThePage") is True, "no reload"
    folded = poll(lambda: proposing.case(report["case_id"])["folded_into"])
    assert folded == candidate["case_id"]
    events = proposing.api.get(f"/v1/cases/{report['case_id']}/events").json()
    fold = next(e for e in events if e["type"] == "ReportFolded")
    assert (fold["payload"]["by"], fold["payload"]["reason"]) == ("duty", "同一只狗，同一户人家")

    third = proposing.reported(title="狗又叫了", description=f"楼下{ACCOUNT}")
    item = page.get_by_role("listitem").filter(has_text=third["number"])
    expect(item).to_contain_text(candidate["number"])  # appeared without a reload
    waiting_link(page, 1)
    delivered(proposing, third["id"])
    item.get_by_label("理由").fill("另一只狗")
    item.get_by_role("button", name="不合并").click()
    expect(page.get_by_role("alert")).to_have_text("不合并：已提交")
    expect(item).to_have_count(0)
    waiting_link(page, 0)
    assert page.evaluate("window.stillThePage") is True, "no reload"
    events = proposing.api.get(f"/v1/cases/{third['id']}/events").json()
    assert [e["payload"]["reason"] for e in events if e["type"] == "DuplicateDismissed"] == [
        "另一只狗"
    ]
    assert proposing.case(third["id"])["folded_into"] is None


def test_the_count_of_proposals_waiting_rises_on_another_page_without_a_reload(
    proposing: Server, open_console_on: Callable[..., Visit]
) -> None:
    def waiting() -> int:
        return int(proposing.api.get("/v1/duplicates/proposals?limit=1").json()["total"])

    before = waiting()
    page = open_console_on(proposing).page
    sign_in(page, proposing, "duty")
    expect(page.get_by_role("heading", name="待办")).to_be_visible()
    waiting_link(page, before)
    page.evaluate("window.stillThePage = true")

    proposing.reported(title="狗叫", description=f"对面{ACCOUNT}")  # a case to resemble
    proposing.reported(title="狗叫扰民", description=f"对门{ACCOUNT}")
    poll(lambda: waiting() > before)
    count = page.locator("#proposals-link .count")
    # The link is asked again every 10 s: it shows what the API counts, on the queue page.
    poll(lambda: count.all_inner_texts() == [str(waiting())])
    expect(page.get_by_role("heading", name="待办")).to_be_visible()
    assert page.evaluate("window.stillThePage") is True, "no reload"
