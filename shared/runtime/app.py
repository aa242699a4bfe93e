"""The FastAPI application of one process: one or several services over shared adapters."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from shared.api.problems import install_problem_handlers
from shared.config import CommonSettings
from shared.runtime.build import close_context, open_context
from shared.runtime.context import AppContext
from shared.runtime.logging import configure_logging
from shared.runtime.metrics import install_metrics
from shared.runtime.service import ServiceModule, Worker

log = structlog.get_logger(__name__)


async def supervise(name: str, worker: Worker, *, healthy: dict[str, bool]) -> None:
    """Run a worker forever, restarting it with a growing pause if it fails."""
    delay = 0.5
    while True:
        healthy[name] = True
        try:
            await worker()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            healthy[name] = False
            log.error("worker_failed", worker=name, error=type(exc).__name__, retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


def create_app(*, settings: CommonSettings, services: Sequence[ServiceModule]) -> FastAPI:
    configure_logging(json_logs=settings.json_logs, level=settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = await open_context(settings)
        app.state.context = context
        healthy: dict[str, bool] = {}
        app.state.workers = healthy
        tasks = [
            asyncio.create_task(supervise(name, worker, healthy=healthy), name=name)
            for service in services
            for name, worker in service.workers(context)
        ]
        log.info(
            "started",
            services=[s.name for s in services],
            workers=len(tasks),
            log_backend=settings.log_backend,
        )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await close_context(context)
            log.info("stopped")

    app = FastAPI(
        title="Fengqiao case escalation API",
        version="1.0.0",
        summary="Grassroots dispute resolution (枫桥经验): report, triage, escalate, notify",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    install_metrics(app)
    for service in services:
        for router in service.routers:
            app.include_router(router)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Adapters reachable and workers running")
    async def readyz() -> JSONResponse:
        context: AppContext = app.state.context
        workers: dict[str, bool] = app.state.workers
        ready = all(workers.values())
        try:
            await context.log.read_stream("readiness-probe")
        except Exception:
            ready = False
        return JSONResponse({"ready": ready, "workers": workers}, status_code=200 if ready else 503)

    return app
