"""Run one process (one service, or all of them) under uvicorn."""

from __future__ import annotations

import os
from collections.abc import Sequence

import uvicorn

from shared.config import CommonSettings
from shared.runtime.app import create_app
from shared.runtime.service import ServiceModule


def serve(services: Sequence[ServiceModule], *, default_port: int = 8000) -> None:
    settings = CommonSettings()
    app = create_app(settings=settings, services=services)
    uvicorn.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", str(default_port))),
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(os.environ.get("FQ_GRACE_SECONDS", "20")),
    )
