"""The measures read models (考核): unit work queues and the facts behind the measures.

They run in the intake process (``python -m services.intake``), beside the case list.
"""

from __future__ import annotations

from services.measures import api
from services.measures.facts.projection import MeasureFactsProjection
from services.measures.queues.projection import UnitQueueProjection
from services.measures.runtime import MeasuresRuntime
from shared.consumers.progress import Progress
from shared.consumers.projection import ProjectionRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    runtime = context.runtimes.put(MeasuresRuntime(queues=Progress(), facts=Progress()))
    found: list[tuple[str, Worker]] = []
    for progress, projection in (
        (runtime.queues, UnitQueueProjection(log=context.log)),
        (runtime.facts, MeasureFactsProjection(log=context.log)),
    ):
        runner = ProjectionRunner(
            log=context.log,
            engine=context.engine,
            projection=projection,
            on_committed=progress.on_committed,
            linger_seconds=context.settings.read_model_linger_ms / 1000,
        )
        found.append((projection.group, runner.run))
    return found


SERVICE = ServiceModule(name="measures", routers=[api.router], workers=workers)
