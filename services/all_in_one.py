"""All four services in one process (``make run``): embedded log and SQLite by default.

The lifecycle read models run in the intake process, as in ``python -m services.intake``.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.lifecycle.main import SERVICE as LIFECYCLE
from services.notify.main import SERVICE as NOTIFY
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from shared.runtime.app import create_app
from shared.runtime.serve import serve
from shared.runtime.service import ServiceModule

SERVICES: list[ServiceModule] = [INTAKE, TRIAGE, ESCALATION, NOTIFY, LIFECYCLE]


def build_app(settings: CommonSettings | None = None) -> FastAPI:
    return create_app(settings=settings or CommonSettings(), services=SERVICES)


if __name__ == "__main__":
    serve(SERVICES, default_port=8000)
