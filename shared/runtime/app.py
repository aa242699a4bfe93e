"""The FastAPI application of one process: one or several services over shared adapters."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Sequence

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from shared.api.auth import KeyRing
from shared.api.edge import GuardEdge
from shared.api.openapi import document_errors, install_redoc
from shared.api.problems import install_problem_handlers
from shared.api.session import Sessions
from shared.config import CommonSettings
from shared.db.migrate import MigrationsBehind, head_revision
from shared.log.topics import TopicMisconfigured
from shared.runtime.build import close_context, open_context
from shared.runtime.context import AppContext
from shared.runtime.logging import configure_logging
from shared.runtime.metrics import install_metrics
from shared.runtime.readiness import ProcessState, readiness, readiness_response
from shared.runtime.service import ServiceModule, Worker

log = structlog.get_logger(__name__)


async def supervise(
    name: str, worker: Worker, *, healthy: dict[str, bool], state: ProcessState
) -> None:
    """Run a worker, restarting it with a growing pause if it fails (not while draining)."""
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
            if state.draining:
                log.warning("worker_failed_while_draining", worker=name, error=type(exc).__name__)
                return
            log.error("worker_failed", worker=name, error=type(exc).__name__, retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


async def drain(context: AppContext, tasks: list[asyncio.Task[None]], *, grace: float) -> None:
    """Stop consuming: each consumer finishes and commits its batch, then leaves its group.

    Workers with a stopper (notify's dispatcher) finish what they hold and return; the rest
    (the timer scheduler) are cancelled once that is done or the grace period is over.
    """
    context.log.consumers.stop_all()
    for stop in context.stoppers.values():
        stop()
    stopping = [task for task in tasks if task.get_name() in context.stoppers]
    try:
        async with asyncio.timeout(grace):
            await asyncio.gather(
                context.log.consumers.all_closed(), *stopping, return_exceptions=True
            )
    except TimeoutError:
        log.warning("shutdown_grace_exceeded", grace_seconds=grace)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def console_sessions(settings: CommonSettings, keys: KeyRing) -> Sessions:
    secret = settings.console_session_secret
    return Sessions(
        keys,
        secret=secret.get_secret_value().encode() if secret else secrets.token_bytes(32),
        lifetime_seconds=settings.console_session_minutes * 60,
    )


def create_app(*, settings: CommonSettings, services: Sequence[ServiceModule]) -> FastAPI:
    configure_logging(json_logs=settings.json_logs, level=settings.log_level)
    state = ProcessState()
    head = head_revision()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            context = await open_context(settings)
        except (MigrationsBehind, TopicMisconfigured) as exc:
            log.error("start_refused", reason=str(exc))
            raise
        app.state.context = context
        app.state.workers = state.workers
        tasks = [
            asyncio.create_task(
                supervise(name, worker, healthy=state.workers, state=state), name=name
            )
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
            state.begin_drain()
            total = settings.shutdown_grace_seconds
            started = time.monotonic()
            # Keep a part of the grace period for closing the producer and the pools.
            await drain(context, tasks, grace=max(0.0, state.grace_left(total) - total / 5))
            try:
                async with asyncio.timeout(max(0.5, state.grace_left(total))):
                    await close_context(context)
            except TimeoutError:
                log.warning("close_exceeded_grace", grace_seconds=total)
            log.info("stopped", drained_seconds=round(time.monotonic() - started, 2))

    # /docs and /redoc with their Swagger UI and ReDoc files served here, not from a CDN:
    # a government intranet has no internet.
    app = FastAPIOffline(
        redoc_url=None,
        title="Fengqiao case escalation API",
        version="1.0.0",
        summary="Grassroots dispute resolution (枫桥经验): report, triage, escalate, notify",
        lifespan=lifespan,
        # No OpenTelemetry here (the metrics are Prometheus's, /metrics): FastAPI's check for
        # configured providers ran on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_problem_handlers(app)
    keys = KeyRing(settings.api_keys)
    app.state.sessions = console_sessions(settings, keys)
    # Inside the request metrics, so refused requests are counted too.
    app.add_middleware(
        GuardEdge, keys=keys, sessions=app.state.sessions, max_bytes=settings.max_body_bytes
    )
    install_metrics(app)
    for service in services:
        for router in service.routers:
            app.include_router(router)

    app.state.process = state
    app.openapi = document_errors(app)  # type: ignore[method-assign]
    install_redoc(app)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Broker and database reachable, consumers assigned, migrations at head",
        responses={503: {"description": "Not ready: problem+json naming the failed checks"}},
    )
    async def readyz() -> JSONResponse:
        context: AppContext = app.state.context
        checks = await readiness(
            context, state, within=settings.readiness_timeout_seconds, head=head
        )
        return readiness_response(checks)

    return app
