"""``python -m services.replay``: rebuild the read models from the start of the log.

Stop the services that run the projections first (``make stack-stop``, or stop
``make run``). Prints progress and a checksum of every rebuilt table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from services.intake.projections import CaseListProjection
from services.lifecycle.facts import MeasureFactsProjection
from services.lifecycle.queue import UnitQueueProjection
from shared.config import CommonSettings
from shared.consumers.rebuild import RebuildableProjection, rebuild
from shared.runtime.build import build_log, open_database
from shared.runtime.logging import configure_logging


def projections(log: object) -> dict[str, RebuildableProjection]:
    from shared.log.port import EventLog

    assert isinstance(log, EventLog)
    return {
        "cases": CaseListProjection(log=log),
        "unit_queue": UnitQueueProjection(log=log),
        "measure_facts": MeasureFactsProjection(log=log),
    }


async def replay(names: list[str]) -> int:
    settings = CommonSettings()
    configure_logging(json_logs=settings.json_logs, level="WARNING")
    engine = await open_database(settings)
    log = build_log(settings)
    await log.start()
    try:
        available = projections(log)
        for name in names or list(available):
            if name not in available:
                print(
                    f"unknown read model {name!r}; known: {', '.join(available)}", file=sys.stderr
                )
                return 2
            started = time.perf_counter()

            def progress(applied: int, *, name: str = name, started: float = started) -> None:
                rate = applied / max(time.perf_counter() - started, 1e-9)
                print(f"\r{name}: {applied:,} events ({rate:,.0f}/s)", end="", flush=True)

            report = await rebuild(
                log=log, engine=engine, projection=available[name], on_batch=progress
            )
            print(
                f"\r{name}: {report.events:,} events in {report.seconds:.1f} s "
                f"({report.events_per_second:,.0f}/s)"
            )
            for table, checksum in report.checksums.items():
                print(f"  {table}: sha256 {checksum}")
    finally:
        await log.close()
        await engine.dispose()
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", nargs="*", help="read models to rebuild (default: all)")
    raise SystemExit(asyncio.run(replay(parser.parse_args().models)))


if __name__ == "__main__":
    main()
