"""The console under a large county: server time and first render in Chromium, p95.

A unit holding ``--cases`` open cases (10,000) and a case of ``--events`` events (500),
seeded by ``bench/console_seed.py``. For the queue page and the case page it measures

* server time: each API request the page makes, as the page makes it (target p95 ≤ 300 ms);
* first render: a full load of the page in Debian's ``chromium`` (Playwright), from the
  navigation until the page shows its rows: the queue's first page (50 rows, with the
  counts over all 10,000), the case's facts, ladder and newest 100 events (the earlier ones
  on request) (target p95 ≤ 300 ms);

beside the ceiling of the same run: the same number of rows as a plain static page that
asks no server (Chromium's own floor for drawing them).

    make bench-console            # ARGS='--cases 10000 --events 500 --samples 30'
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, Route, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import free_port, percentile, server
from bench.console_seed import GRID, append_clones, worked_case

TARGET_MS = 300.0
QUEUE_PAGE = 50
"""Rows the console's queue page asks for (services/console/static/queue.js)."""
TIMELINE = 100
"""Events the case page draws at once, the newest (the earlier ones on request: case.js)."""
MARKS = "type=CaseTriaged&type=TierOverridden&type=CaseAssigned"
"""The events the case page draws its tier and ladder from."""


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def caught_up(api: httpx.Client, big: str, *, cases: int, events: int) -> float:
    """Seconds until the read models hold every clone and the big case's every event."""
    started = time.monotonic()

    def done() -> bool:
        queue = api.get(f"/v1/units/{GRID}/queue", params={"limit": 1}).json()
        case = api.get(f"/v1/cases/{big}")
        return (
            queue["counts"]["open"] >= cases
            and case.is_success
            and case.json()["version"] >= events
        )

    while not done():
        if time.monotonic() - started > 1800:
            raise RuntimeError("the read models did not catch up within 30 minutes")
        time.sleep(1)
    return time.monotonic() - started


def server_times(api: httpx.Client, big: str, samples: int) -> dict[str, list[float]]:
    paths = {
        "GET queue (first page)": f"/v1/units/{GRID}/queue?limit={QUEUE_PAGE}",
        "GET case": f"/v1/cases/{big}",
        "GET case events (newest 100)": f"/v1/cases/{big}/events?last={TIMELINE}",
        "GET case events (tier, ladder)": f"/v1/cases/{big}/events?{MARKS}",
        "GET case events (all, on request)": f"/v1/cases/{big}/events",
    }
    for path in paths.values():  # warm
        api.get(path).raise_for_status()
    return {
        name: [timed(lambda p=path: api.get(p).raise_for_status()) for _ in range(samples)]
        for name, path in paths.items()
    }


def static_page(rows: int, tag: str) -> str:
    cell = "<td>{}</td>" if tag == "tr" else "{}"
    text = cell.format("330681-2026-{:06d} 邻居装修噪音纠纷 待调处")
    body = "".join(f"<{tag}>{text.format(n)}</{tag}>" for n in range(rows))
    wrapper = "table" if tag == "tr" else "ol"
    head = '<!doctype html><meta charset="utf-8"><title>static</title>'
    return f'{head}<{wrapper} id="rows">{body}</{wrapper}>'


def renders(
    base: str, big: str, samples: int, *, cases: int, events: int
) -> dict[str, list[float]]:
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("needs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        page = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN"
        ).new_page()
        pages = {
            "/static-queue.html": static_page(QUEUE_PAGE, "tr"),
            "/static-case.html": static_page(TIMELINE, "li"),
        }

        def fulfil(route: Route) -> None:
            route.fulfill(
                status=200, content_type="text/html", body=pages[route.request.url[len(base) :]]
            )

        page.route(f"{base}/static-*.html", fulfil)
        page.goto(f"{base}/")
        page.get_by_label("API 密钥").fill("dev")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="待办").wait_for()

        def load(url: str, ready: str) -> Callable[[Page], float]:
            def one(p: Page) -> float:
                p.goto("about:blank")
                return timed(lambda: (p.goto(url), p.locator(ready).wait_for()))

            return one

        kinds = {
            f"queue page, {cases:,} open": load(
                f"{base}/console/#/queue?unit={GRID}",
                f"table.queue tbody tr:nth-child({QUEUE_PAGE})",
            ),
            f"  ceiling: {QUEUE_PAGE} rows, static": load(
                f"{base}/static-queue.html", f"#rows tr:nth-child({QUEUE_PAGE})"
            ),
            f"case page, {events} events": load(
                f"{base}/console/#/case/{big}", f"ol.timeline li:nth-child({TIMELINE})"
            ),
            f"  ceiling: {TIMELINE} rows, static": load(
                f"{base}/static-case.html", f"#rows li:nth-child({TIMELINE})"
            ),
        }
        for measure in kinds.values():  # warm
            measure(page)
        found = {name: [measure(page) for _ in range(samples)] for name, measure in kinds.items()}
        browser.close()
        return found


def report(title: str, figures: dict[str, list[float]], *, target: bool = True) -> None:
    print(f"\n{title}")
    print(f"  {'':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in figures.items():
        p95 = percentile(values, 95)
        verdict = "" if name.startswith("  ") else ("  ok" if p95 <= TARGET_MS else "  over 300 ms")
        print(f"  {name:38} {percentile(values, 50):8.1f} {p95:8.1f} {max(values):8.1f}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as directory:
        run(Path(directory), args.cases, args.events, args.samples)


def run(directory: Path, cases: int, events: int, samples: int) -> None:
    log_url = f"sqlite+aiosqlite:///{directory}/log.db"
    app_url = f"sqlite+aiosqlite:///{directory}/app.db"
    env: dict[str, Any] = {
        "FQ_LOG_BACKEND": "embedded",
        "FQ_LOG_URL": log_url,
        "FQ_DATABASE_URL": app_url,
        "FQ_CLOCK": "simulated",
        "FQ_NOTIFY_SANDBOX_PORT": str(free_port()),
    }
    with server(env) as base:
        template = worked_case(base)
    started = time.perf_counter()
    big = asyncio.run(append_clones(log_url, app_url, template, cases=cases, big_events=events))
    print(
        f"seeded {cases:,} cases ({events} events in one) in {time.perf_counter() - started:.1f} s"
    )
    with (
        server(env) as base,
        httpx.Client(base_url=base, headers={"Authorization": "Bearer dev"}, timeout=60) as api,
    ):
        print(f"read models caught up in {caught_up(api, big, cases=cases, events=events):.1f} s")
        report(
            f"server time, {samples} requests each (target p95 ≤ {TARGET_MS:.0f} ms)",
            server_times(api, big, samples),
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nload average of the machine: {load} ({os.cpu_count()} cores)")
        report(
            f"first render in Chromium, {samples} loads each (target p95 ≤ {TARGET_MS:.0f} ms)",
            renders(base, big, samples, cases=cases, events=events),
        )


if __name__ == "__main__":
    main()
