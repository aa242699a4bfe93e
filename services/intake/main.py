"""The intake service: the REST API for reports and the case read model."""

from __future__ import annotations

from services.intake import api, facts_api, hotline, units_api
from services.intake.cases.projection import CaseListProjection
from services.intake.numbers import CaseNumbers
from services.intake.runtime import IntakeRuntime
from shared.consumers.progress import Progress
from shared.consumers.projection import ProjectionRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    progress = Progress()
    numbers = CaseNumbers(context.engine, county_code=context.tree.county.code)
    context.runtimes.put(IntakeRuntime(numbers=numbers, cases=progress))
    runner = ProjectionRunner(
        log=context.log,
        engine=context.engine,
        projection=CaseListProjection(log=context.log),
        on_committed=progress.on_committed,
        linger_seconds=context.settings.read_model_linger_ms / 1000,
    )
    return [("projection.cases", runner.run)]


SERVICE = ServiceModule(
    name="intake",
    routers=[api.router, facts_api.router, hotline.router, units_api.router],
    workers=workers,
)
