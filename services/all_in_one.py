"""All four services in one process (``make run``): embedded log and SQLite by default."""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from services.intake.main import SERVICE as INTAKE
from shared.config import CommonSettings
from shared.runtime.app import create_app
from shared.runtime.service import ServiceModule

SERVICES: list[ServiceModule] = [INTAKE]


def build_app(settings: CommonSettings | None = None) -> FastAPI:
    return create_app(settings=settings or CommonSettings(), services=SERVICES)


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    uvicorn.run(build_app(), host=os.environ.get("HOST", "127.0.0.1"), port=port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
