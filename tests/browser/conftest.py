"""The console in a real Chromium (Debian's ``chromium``, driven by Playwright).

One server (the whole system in one process on the simulated clock, its own ports) and one
browser per session; each test gets a fresh browser context whose every request to another
origin is blocked and recorded, and fails the test: the console must work with no internet.
Without the browser these tests skip, except in CI (``FQ_REQUIRE_INTEGRATION=1``), where
a missing browser fails them.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REQUIRED
from tests.integration.conftest import START
from tests.integration.processes import ROOT, free_port
from tests.integration.test_intake_api import MY_TOWNSHIP, OTHER_TOWNSHIP, report

REGION_A, REGION_B = MY_TOWNSHIP.code[:9], OTHER_TOWNSHIP.code[:9]
COUNTY = MY_TOWNSHIP.code[:6]
KEYS = {
    "duty": ([COUNTY], ["reader", "supervisor"]),  # the county centre's duty officer
    "dev": ([""], ["admin"]),
    "grid-a": ([REGION_A], ["reader", "handler"]),
    "reader-a": ([REGION_A], ["reader", "reporter"]),
    "handler-b": ([REGION_B], ["reader", "handler", "pii"]),
}
"""key: (regions, roles); the client is named as the key."""

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras install it
    sync_playwright = None  # type: ignore[assignment]
else:
    # A page that waits for the server: generous, as CI shares its cores with other work.
    expect.set_options(timeout=15_000)


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None or sync_playwright is None:
        reason = "needs Debian's chromium and playwright (see .ci/run)"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def poll(check: Callable[[], Any], *, within: float = 30.0) -> Any:
    """Another process's state can only be polled: short, bounded."""
    deadline = time.monotonic() + within
    while not (found := check()):
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)
    return found


CALLERS = itertools.count(1)


@dataclass
class Server:
    url: str
    api: httpx.Client
    """Speaks with the development key (every role, every region)."""
    log_url: str
    """The server's embedded log (another process may write to it, as a rebuild does)."""

    def case(self, case_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.api.get(f"/v1/cases/{case_id}").json()
        return answer

    def reported(self, **overrides: Any) -> dict[str, Any]:
        """A report into region A's grid, once its grid holds it (assigned, with an order).
        Each has parties of its own: the same caller again would be a repeat dispute."""
        caller = f"170{next(CALLERS):04d}5678"  # masked as the sample caller: 170****5678
        overrides.setdefault("parties", [{"name": "张三", "phone": caller}, {"name": "李四"}])
        case_id = self.api.post("/v1/cases", json=report(**overrides)).json()["id"]
        return dict(poll(lambda: (c := self.case(case_id))["order_id"] and c))


@contextlib.contextmanager
def launched(directory: Path, **settings: str) -> Iterator[Server]:
    """The whole system in one process of its own, on the simulated clock, with ``KEYS``;
    ``settings`` (environment variables) over the defaults below."""
    port = free_port()
    log_url = f"sqlite+aiosqlite:///{directory}/log.db"
    keys = [
        {"key": key, "client": key, "regions": regions, "roles": roles}
        for key, (regions, roles) in KEYS.items()
    ]
    env = {
        **os.environ,
        "PORT": str(port),
        "FQ_LOG_BACKEND": "embedded",
        "FQ_LOG_URL": log_url,
        "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/app.db",
        "FQ_CLOCK": "simulated",
        "FQ_CLOCK_START": START.isoformat(),
        "FQ_API_KEYS": json.dumps(keys),
        "FQ_NOTIFY_SANDBOX_PORT": str(free_port()),
        # The tests report the same sample incident many times, each to be worked as a case
        # of its own: folding duplicates (合并工单) would make them one.
        "FQ_DUPLICATES_ENABLED": "false",
        # ... and at one grid, where the third of one category would count as a repeat
        # dispute and start a level higher than the walks expect.
        "FQ_PARTY_REPEAT_BY_PLACE": "false",
        **settings,
    }
    with (directory / "server.log").open("ab") as output:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "services.all_in_one"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    api = httpx.Client(base_url=url, headers={"Authorization": "Bearer dev"}, timeout=10)

    def ready() -> bool:
        try:
            return api.get("/readyz").status_code == 200
        except httpx.HTTPError:
            return False

    try:
        poll(ready, within=60)
        yield Server(url, api, log_url)
    finally:
        api.close()
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    chromium()
    with launched(tmp_path_factory.mktemp("console")) as started:
        yield started


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Package-scoped: Playwright's sync API runs an event loop on this thread while it is
    open, and the asyncio tests after this package need the thread free of it."""
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A browser context on the server, and every request it tried to make elsewhere."""

    context: BrowserContext
    page: Page
    elsewhere: list[str] = field(default_factory=list)


@pytest.fixture
def open_console_on(browser: Browser) -> Iterator[Callable[..., Visit]]:
    """Open a browser context on the given server; any other origin fails the test."""
    visits: list[Visit] = []

    def opened(
        server: Server, *, width: int = 1280, height: int = 900, bypass_csp: bool = False
    ) -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", bypass_csp=bypass_csp
        )
        visit = Visit(context, context.new_page())

        def guard(route: Any) -> None:
            if route.request.url.startswith(server.url):
                route.continue_()
            else:
                visit.elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        visits.append(visit)
        return visit

    yield opened
    for visit in visits:
        visit.context.close()
        assert visit.elsewhere == [], f"requests to another origin: {visit.elsewhere}"


@pytest.fixture
def open_console(server: Server, open_console_on: Callable[..., Visit]) -> Callable[..., Visit]:
    return functools.partial(open_console_on, server)


def sign_in(page: Page, server: Server, key: str) -> None:
    """Sign in with the keyboard alone: the key, Enter."""
    page.goto(f"{server.url}/")
    page.get_by_label("API 密钥").fill(key)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="待办").wait_for()


def county_arrivals(page: Page, server: Server) -> None:
    """The duty officer (值班员, the county's key) signed in, on the county's arrivals (到件)."""
    sign_in(page, server, "duty")
    page.get_by_role("link", name="到件").click()
    expect(page.get_by_role("heading", name="到件")).to_be_focused()
