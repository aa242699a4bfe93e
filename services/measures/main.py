"""The measures read models (考核): unit work queues, the facts behind the measures, and
the hotspots (研判) with their detector.

They run in the intake process (``python -m services.processes intake``), beside the case list.
"""

from __future__ import annotations

from services.measures import api
from services.measures.facts.projection import MeasureFactsProjection
from services.measures.hotspots import api as hotspots_api
from services.measures.hotspots.config import HotspotSettings
from services.measures.hotspots.projection import HotspotCaseProjection
from services.measures.hotspots.reactor import HotspotDetector
from services.measures.hotspots.settle import Applied
from services.measures.queues.projection import UnitQueueProjection
from services.measures.runtime import MeasuresRuntime
from shared.consumers.progress import Progress
from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    runtime = context.runtimes.put(
        MeasuresRuntime(queues=Progress(), facts=Progress(), hotspot_settings=HotspotSettings())
    )
    found: list[tuple[str, Worker]] = []
    for progress, projection in (
        (runtime.queues, UnitQueueProjection(log=context.log)),
        (runtime.facts, MeasureFactsProjection(log=context.log)),
        (runtime.hotspots, HotspotCaseProjection(log=context.log)),
    ):
        runner = ProjectionRunner(
            log=context.log,
            engine=context.engine,
            projection=projection,
            on_committed=progress.on_committed,
            linger_seconds=context.settings.read_model_linger_ms / 1000,
        )
        found.append((projection.group, runner.run))
    hotspots_group, hotspots_run = found.pop()
    found.append((hotspots_group, _telling_when_stopped(hotspots_run, runtime.hotspots)))
    detector = HotspotDetector(
        log=context.log,
        engine=context.engine,
        rule=runtime.hotspot_settings.rule(),
        applied=runtime.hotspots,
        settle_seconds=runtime.hotspot_settings.settle_seconds,
        linger_seconds=runtime.hotspot_settings.linger_seconds,
    )
    reactor = ReactorRunner(
        log=context.log,
        engine=context.engine,
        reactor=detector,
        max_attempts=context.settings.reactor_max_attempts,
    )
    found.append((detector.group, reactor.run))
    return found


def _telling_when_stopped(run: Worker, applied: Applied) -> Worker:
    """The hotspot projection's worker; once it returns (stopped, not failed), the detector
    stops waiting for it."""

    async def worker() -> None:
        await run()
        applied.stop()

    return worker


SERVICE = ServiceModule(
    name="measures",
    routers=[api.router, hotspots_api.router],
    workers=workers,
    settings=[HotspotSettings],
)
