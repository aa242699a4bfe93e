"""Which services each process runs: the composition roots above the service packages.

A service package never imports another; what runs together is decided here. The intake
process serves the case API with the measures read models beside it; the notify process
starts the development sandbox receiver when ``FQ_NOTIFY_SANDBOX_PORT`` is set; the web
console is served beside the case API; ``make run``
runs every service in one process.
"""

from __future__ import annotations

from services.console.main import SERVICE as CONSOLE
from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.measures.main import SERVICE as LIFECYCLE
from services.notify.config import NotifySettings
from services.notify.main import SERVICE as NOTIFY_ALONE
from services.sandbox.worker import sandbox_worker
from services.triage.main import SERVICE as TRIAGE
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def _notify_workers(context: AppContext) -> list[tuple[str, Worker]]:
    found = NOTIFY_ALONE.workers(context)
    settings = NotifySettings()
    if settings.sandbox_port is not None:
        secret = settings.signing_secret.get_secret_value().encode()
        found.append(("notify.sandbox", sandbox_worker(settings.sandbox_port, secret)))
    return found


NOTIFY = ServiceModule(
    name=NOTIFY_ALONE.name,
    routers=NOTIFY_ALONE.routers,
    workers=_notify_workers,
    settings=NOTIFY_ALONE.settings,
)
"""Notify with the development sandbox receiver when its port is set."""

INTAKE_PROCESS: list[ServiceModule] = [INTAKE, LIFECYCLE, CONSOLE]
NOTIFY_PROCESS: list[ServiceModule] = [NOTIFY]
ALL_IN_ONE: list[ServiceModule] = [INTAKE, TRIAGE, ESCALATION, NOTIFY, LIFECYCLE, CONSOLE]
