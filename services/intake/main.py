"""The intake service: the REST API for reports and the case read model."""

from __future__ import annotations

from services.intake import api, units_api
from services.intake.projections import CaseListProjection
from shared.consumers.projection import ProjectionRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    runner = ProjectionRunner(
        log=context.log, engine=context.engine, projection=CaseListProjection(log=context.log)
    )
    return [("projection.cases", runner.run)]


SERVICE = ServiceModule(name="intake", routers=[api.router, units_api.router], workers=workers)
