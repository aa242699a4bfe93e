"""``make demo``: a simulated year for the sample county in a fresh embedded system.

    python -m services.year_demo [DATA_DIR] [--cases 1000] [--days 365] [--seed 2026]

All four services run in this process on the embedded log and SQLite under DATA_DIR
(default ``data/demo``, emptied first) with the simulated clock; a sandbox receiver on a
free port takes the deliveries. Afterwards ``FQ_LOG_URL=sqlite+aiosqlite:///DATA_DIR/log.db
FQ_DATABASE_URL=sqlite+aiosqlite:///DATA_DIR/app.db CLOCK=simulated make run`` serves
the year's cases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from services.all_in_one import SERVICES
from services.demo.simulate import Simulation
from services.demo.summary import YearSummary, render, summarise
from services.notify.config import DEV_SIGNING_SECRET
from services.replay import PROJECTIONS
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from shared.org.loader import sample_county_path
from shared.runtime.app import create_app

YEAR_START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # a Monday, 08:00 in Shanghai
REACTOR_GROUPS = frozenset({"triage", "escalation", "notify"})


def _fresh(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for pattern in ("log.db*", "app.db*", "org.json"):
        for path in directory.glob(pattern):
            path.unlink()


NOTIFY_ENV = (
    "FQ_NOTIFY_SMS_GATEWAY_URL",
    "FQ_NOTIFY_HOTLINE_CALLBACK_URL",
    "FQ_NOTIFY_SANDBOX_PORT",
)
"""What the demo changes in its process's environment while it runs (restored after)."""


@contextlib.contextmanager
def _notify_env(receiver: Receiver) -> Iterator[None]:
    """Notify's gateways at the demo's receiver while the demo runs; the environment as it
    was afterwards (the demo may run inside another program, a test suite say)."""
    before = {name: os.environ.get(name) for name in NOTIFY_ENV}
    os.environ["FQ_NOTIFY_SMS_GATEWAY_URL"] = f"{receiver.url}/sms"
    os.environ["FQ_NOTIFY_HOTLINE_CALLBACK_URL"] = f"{receiver.url}/hotline/feedback"
    os.environ.pop("FQ_NOTIFY_SANDBOX_PORT", None)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _point_notify_at(receiver: Receiver, directory: Path) -> Path:
    text = sample_county_path().read_text(encoding="utf-8")
    org = directory / "org.json"
    org.write_text(text.replace("http://127.0.0.1:8900", receiver.url), encoding="utf-8")
    return org


async def demo(
    directory: Path, *, cases: int, days: int, seed: int, quiet: bool = False
) -> YearSummary:
    _fresh(directory)
    receiver = await Receiver(secret=DEV_SIGNING_SECRET.encode()).start()
    started = time.perf_counter()
    say = (lambda _line: None) if quiet else print
    with _notify_env(receiver):
        try:
            settings = CommonSettings(
                log_backend="embedded",
                log_url=f"sqlite+aiosqlite:///{directory}/log.db",
                database_url=f"sqlite+aiosqlite:///{directory}/app.db",
                org_file=_point_notify_at(receiver, directory),
                clock="simulated",
                clock_start=YEAR_START,
                log_level="WARNING",
            )
            app = create_app(settings=settings, services=SERVICES)
            async with app.router.lifespan_context(app):
                context = app.state.context
                live = [PROJECTIONS[n](context.log) for n in PROJECTIONS]
                # A projection without a live runner (the duplicate index: the triage reactor
                # writes it) has no position of its own to wait for.
                groups = REACTOR_GROUPS | {p.group for p in live if getattr(p, "live_runner", True)}
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport,
                    base_url="http://demo",
                    headers={"Authorization": "Bearer dev"},
                    timeout=60,
                ) as api:
                    simulation = Simulation(
                        api, context, cases=cases, days=days, groups=groups, seed=seed
                    )
                    say(f"simulating {days} days with {cases:,} cases in {directory} ...")

                    def on_day(day: int, reported: int) -> None:
                        if day % 30 == 0:
                            elapsed = time.perf_counter() - started
                            say(f"  day {day}: {reported:,} cases reported ({elapsed:.0f} s)")

                    try:
                        await simulation.run(on_day)
                    finally:
                        await simulation.close()
                summary = await summarise(context.log)
        finally:
            await receiver.stop()
    say(f"simulated {days} days in {time.perf_counter() - started:.0f} s; summary:")
    for line in render(summary):
        say("  " + line)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default="data/demo", type=Path)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    asyncio.run(demo(args.data_dir, cases=args.cases, days=args.days, seed=args.seed))


if __name__ == "__main__":
    main()
