"""``python -m services.replay``: rebuild the read models from the start of the log.

Every read model is rebuilt in one pass into fresh tables while the live ones keep
serving, then swapped in atomically with its position (see docs/replay.md). Prints
progress (a bar on a terminal, plain lines otherwise) and a checksum of every table.

``PROJECTIONS`` is the one place a new read model is registered: the rebuild, the
benchmark and the tests all take the list from here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TextIO

from services.escalation.timers.projection import TimerIndex
from services.intake.cases.projection import CaseListProjection
from services.measures.facts.projection import MeasureFactsProjection
from services.measures.hotspots.projection import HotspotCaseProjection
from services.measures.queues.projection import UnitQueueProjection
from services.notify.outbox.projection import DeliveryOutbox
from services.triage.duplicates.index_projection import DuplicateIndexProjection
from services.triage.history.projection import CaseHistoryProjection
from shared.config import CommonSettings, PartySettings
from shared.consumers.rebuild import (
    Progress,
    RebuildableProjection,
    RebuildReport,
    ShardedPass,
    rebuild_all,
)
from shared.consumers.rebuild_shards import Opened
from shared.db.engine import make_engine
from shared.log.embedded import EmbeddedLog
from shared.log.port import EventLog
from shared.org.loader import load_org_tree
from shared.runtime.build import build_log, open_database
from shared.runtime.logging import configure_logging

PROCESSES = 2
"""Processes the pass is split over on PostgreSQL (by case)."""

BATCH_EVENTS = 20_000
"""Events per batch of the pass (and per read of the embedded log's replay): each batch
costs every model a transaction and a lookup; on 2 cores 20,000 rebuilt faster than 10,000
and 40,000."""

PROJECTIONS: dict[str, Callable[[EventLog], RebuildableProjection]] = {
    "cases": lambda log: CaseListProjection(log=log),
    "timers": lambda log: TimerIndex(partition_of=log.partition_of),
    "deliveries": lambda log: DeliveryOutbox(),
    "unit_queue": lambda log: UnitQueueProjection(log=log),
    "measure_facts": lambda log: MeasureFactsProjection(log=log),
    "case_history": lambda log: CaseHistoryProjection(secret=PartySettings().secret),
    "hotspot_cases": lambda log: HotspotCaseProjection(log=log),
    "duplicate_index": lambda log: DuplicateIndexProjection(
        log=log, tree=load_org_tree(CommonSettings().org_file), secret=PartySettings().secret
    ),
}


def projections(log: EventLog, names: list[str] | None = None) -> list[RebuildableProjection]:
    """The registered read models (``names`` chooses some; KeyError names an unknown one)."""
    return [PROJECTIONS[name](log) for name in names or list(PROJECTIONS)]


@dataclass(frozen=True)
class ReplaySource:
    """The log, the read-model database and the chosen read models, opened in any process:
    what each worker of a pass split by case opens (``shared.consumers.rebuild_shards``)."""

    settings: CommonSettings
    names: tuple[str, ...] = ()
    replay_batch_size: int | None = BATCH_EVENTS
    """Records per log read on the embedded log (None: the log's default)."""

    def log(self) -> EventLog:
        if self.settings.log_backend == "embedded" and self.replay_batch_size is not None:
            return EmbeddedLog(self.settings.log_url, replay_batch_size=self.replay_batch_size)
        return build_log(self.settings)

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Opened]:
        engine = make_engine(self.settings.database_url, durable=False)
        log = self.log()
        await log.start()
        try:
            yield log, engine, projections(log, list(self.names))
        finally:
            await log.close()
            await engine.dispose()


def sharded(source: ReplaySource, processes: int = PROCESSES) -> ShardedPass | None:
    """The pass split over ``processes`` processes (None: one process)."""
    return ShardedPass(processes, source) if processes > 1 else None


class ProgressPrinter:
    """A bar redrawn in place on a terminal; a plain line every few seconds otherwise."""

    def __init__(self, out: TextIO = sys.stdout, *, every_seconds: float = 5.0) -> None:
        self._out = out
        self._tty = out.isatty()
        self._every = every_seconds
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        rate = progress.events / max(progress.seconds, 1e-9)
        share = min(progress.events / progress.total, 1.0) if progress.total else 1.0
        if self._tty:
            bar = "#" * int(share * 30)
            self._out.write(
                f"\r[{bar:<30}] {share:4.0%} {progress.events:,}/{progress.total:,} events"
                f" {rate:,.0f}/s "
            )
            self._out.flush()
            return
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            print(
                f"replayed {progress.events:,} of ~{progress.total:,} events ({rate:,.0f}/s)",
                file=self._out,
                flush=True,
            )

    def done(self, report: RebuildReport) -> None:
        if self._tty:
            self._out.write("\n")
        print(
            f"rebuilt {', '.join(report.groups)}: {report.events:,} events in "
            f"{report.seconds:.1f} s ({report.events_per_second:,.0f}/s); "
            f"{report.caught_up:,} applied at the swap",
            file=self._out,
        )
        for table, checksum in report.checksums.items():
            print(f"  {table}: sha256 {checksum}", file=self._out)


async def replay(
    names: list[str], *, processes: int = PROCESSES, batch_events: int = BATCH_EVENTS
) -> int:
    unknown = [name for name in names if name not in PROJECTIONS]
    if unknown:
        print(
            f"unknown read model {unknown[0]!r}; known: {', '.join(PROJECTIONS)}", file=sys.stderr
        )
        return 2
    settings = CommonSettings()
    configure_logging(json_logs=settings.json_logs, level="WARNING")
    engine = await open_database(settings)
    source = ReplaySource(settings, tuple(names), replay_batch_size=batch_events)
    log = source.log()
    await log.start()
    printer = ProgressPrinter()
    try:
        report = await rebuild_all(
            log=log,
            engine=engine,
            projections=projections(log, names),
            on_progress=printer,
            batch_events=batch_events,
            sharded=sharded(source, processes),
        )
        printer.done(report)
    finally:
        await log.close()
        await engine.dispose()
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "models",
        nargs="*",
        help=f"read models to rebuild (default: all of {', '.join(PROJECTIONS)})",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=PROCESSES,
        help=f"processes the pass is split over on PostgreSQL, by case (default {PROCESSES})",
    )
    parser.add_argument(
        "--batch-events",
        type=int,
        default=BATCH_EVENTS,
        help=f"events per batch (default {BATCH_EVENTS:,}: about 345 MB per process; "
        "a smaller batch needs less memory and takes longer)",
    )
    args = parser.parse_args()
    run = replay(args.models, processes=args.processes, batch_events=args.batch_events)
    raise SystemExit(asyncio.run(run))


if __name__ == "__main__":
    main()
