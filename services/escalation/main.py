"""The escalation service: assign on triage, fire deadlines, the ladder over REST."""

from __future__ import annotations

import structlog

from services.escalation import api, dead_letters_api, requests_api
from services.escalation.audit import api as audit_api
from services.escalation.config import LadderSettings
from services.escalation.handlers import EscalationReactor
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.runtime import EscalationRuntime
from services.escalation.scheduler import TimerScheduler
from services.escalation.service import Ladder
from services.escalation.timers.projection import TimerIndex, earliest_due
from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.runtime.context import AppContext
from shared.runtime.metrics import UNKNOWN_CALENDAR_YEARS
from shared.runtime.service import ServiceModule, Worker

log = structlog.get_logger(__name__)


def _warn_unknown_year(year: int) -> None:
    UNKNOWN_CALENDAR_YEARS.labels(str(year)).inc()
    log.warning(
        "calendar_year_unknown",
        year=year,
        hint="add holidays with FQ_LADDER_EXTRA_HOLIDAYS / FQ_LADDER_EXTRA_WORKDAYS",
    )


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    settings = LadderSettings()
    calendar = BusinessCalendar(
        mode=settings.day_mode,
        extra_holidays=settings.extra_holidays,
        extra_workdays=settings.extra_workdays,
        on_unknown_year=_warn_unknown_year,
    )
    ladder = Ladder(
        log=context.log,
        tree=context.tree,
        clock=context.clock,
        settings=settings,
        calendar=calendar,
    )
    reactor = ReactorRunner(
        log=context.log,
        engine=context.engine,
        reactor=EscalationReactor(ladder=ladder),
        max_attempts=context.settings.reactor_max_attempts,
    )
    index = ProjectionRunner(
        log=context.log,
        engine=context.engine,
        projection=TimerIndex(partition_of=context.log.partition_of),
        on_committed=lambda batch: scheduler.timers_indexed(earliest_due(batch)),
        # Off the path of dispatch orders (a timer comes due hours later): records gather
        # as for the read models, and the index's transaction is paid once for many.
        linger_seconds=context.settings.read_model_linger_ms / 1000,
    )

    def owned() -> frozenset[int] | None:
        # Fire only the timers of the partitions the index's subscription owns now.
        subscription = index.subscription
        return subscription.owned_partitions() if subscription is not None else frozenset()

    context.runtimes.put(EscalationRuntime(ladder=ladder, owned_partitions=owned))
    scheduler = TimerScheduler(ladder=ladder, engine=context.engine, owned=owned)
    return [
        ("escalation", reactor.run),
        ("escalation.timers", index.run),
        ("escalation.scheduler", scheduler.run),
    ]


SERVICE = ServiceModule(
    name="escalation",
    routers=[api.router, requests_api.router, audit_api.router, dead_letters_api.router],
    workers=workers,
    settings=[LadderSettings],
)
