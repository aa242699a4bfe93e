"""Run one process (one service, or all of them) under uvicorn, with a graceful SIGTERM.

Every settings class of the process is read before anything starts, so a bad variable stops
the process with a message naming it (exit status 2). On SIGTERM (or Ctrl-C) the process
stops listening, lets requests in progress finish (up to half the grace period), then lets
each consumer finish and commit its batch and leave its group; all of it within
``FQ_SHUTDOWN_GRACE_SECONDS``, after which what still runs is cancelled.
"""

from __future__ import annotations

import gc
import os
import socket
import sys
from collections.abc import Sequence
from types import FrameType

import structlog
import uvicorn

from shared.config import CommonSettings
from shared.runtime.app import create_app
from shared.runtime.collection import tune_gc
from shared.runtime.readiness import ProcessState
from shared.runtime.service import ServiceModule
from shared.settings_base import SettingsRefused, load_settings

log = structlog.get_logger(__name__)


class GracefulServer(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, *, state: ProcessState, settings: CommonSettings
    ) -> None:
        super().__init__(config)
        self._state = state
        self._settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)  # after the application's startup (its lifespan)
        thresholds = tune_gc(young_threshold=self._settings.gc_young_threshold)
        log.info("gc_tuned", frozen=gc.get_freeze_count(), thresholds=list(thresholds))

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._state.begin_drain()  # the grace period counts from the signal
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        # A completed drain is a normal exit (status 0), not death by the signal uvicorn
        # would otherwise raise again.
        self._captured_signals.clear()


def load_all(services: Sequence[ServiceModule]) -> CommonSettings:
    settings = load_settings(CommonSettings)
    for service in services:
        for settings_class in service.settings:
            load_settings(settings_class)
    return settings


def serve(services: Sequence[ServiceModule], *, default_port: int = 8000) -> None:
    try:
        settings = load_all(services)
    except SettingsRefused as refused:
        print(refused.code, file=sys.stderr)
        raise SystemExit(2) from None
    app = create_app(settings=settings, services=services)
    config = uvicorn.Config(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", str(default_port))),
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=max(1, int(settings.shutdown_grace_seconds / 2)),
    )
    server = GracefulServer(config, state=app.state.process, settings=settings)
    server.run()
    if server.started is False:
        raise SystemExit(3)  # the start was refused: the log says why (as uvicorn.run)
