"""Which services each process runs: the composition roots above the service packages.

A service package never imports another; what runs together is decided here. The intake
process serves the case API with the measures read models beside it; the notify process
starts the development sandbox receiver when ``FQ_NOTIFY_SANDBOX_PORT`` is set; the web
console is served beside the case API; ``make run``
runs every service in one process.

``python -m services.processes NAME [serve]`` starts one production process (``make stack``,
the container image and the Kubernetes manifests do): ``intake`` (port 8000), ``triage``
(8001), ``escalation`` (8002) or ``notify`` (8003); ``PORT`` and ``HOST`` as for every process.
"""

from __future__ import annotations

import sys

from services.console.main import SERVICE as CONSOLE
from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.measures.main import SERVICE as LIFECYCLE
from services.notify.config import NotifySettings
from services.notify.main import SERVICE as NOTIFY_ALONE
from services.sandbox.worker import sandbox_worker
from services.triage.main import SERVICE as TRIAGE
from shared.runtime.context import AppContext
from shared.runtime.serve import serve
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

PROCESSES: dict[str, tuple[list[ServiceModule], int]] = {
    "intake": (INTAKE_PROCESS, 8000),
    "triage": ([TRIAGE], 8001),
    "escalation": ([ESCALATION], 8002),
    "notify": (NOTIFY_PROCESS, 8003),
}
"""Each production process by name: its services and its default port."""


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in PROCESSES or argv[1:] not in ([], ["serve"]):
        raise SystemExit(f"usage: python -m services.processes {{{','.join(PROCESSES)}}} [serve]")
    services, port = PROCESSES[argv[0]]
    serve(services, default_port=port)


if __name__ == "__main__":
    main(sys.argv[1:])
