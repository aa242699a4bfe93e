"""Prometheus metrics of a process (served at ``/metrics``)."""

from __future__ import annotations

import time
from typing import Any

import structlog
from fastapi import Depends, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.api.deps import require_role
from shared.runtime.lag import refresh_consumer_gauges

log = structlog.get_logger(__name__)

HTTP_REQUESTS = Counter("fq_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "fq_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_APPENDED = Counter("fq_events_appended_total", "Events appended to the log", ["type"])
EVENTS_CONSUMED = Counter(
    "fq_events_consumed_total", "Events handled by a consumer group", ["group", "type"]
)
DEAD_LETTERS = Counter("fq_dead_letters_total", "Records parked as poison", ["group"])
DELIVERIES = Counter(
    "fq_deliveries_total", "Delivery attempts by channel and outcome", ["channel", "outcome"]
)
DELIVERY_SECONDS = Histogram(
    "fq_delivery_seconds",
    "Time from a notice being issued to its delivery",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
DELIVERIES_IN_FLIGHT = Gauge("fq_deliveries_in_flight", "Deliveries being sent or retried")


_SERIES: dict[tuple[Any, tuple[str, ...]], Any] = {}


def labelled(metric: Any, *labels: str) -> Any:
    """``metric.labels(*labels)``, looked up once per process: finding a labelled series (a
    lock, the labels' strings, the registry's dict) cost more than counting on it."""
    found = _SERIES.get((metric, labels))
    if found is None:
        found = _SERIES[metric, labels] = metric.labels(*labels)
    return found


class MeasureRequests:
    """Plain ASGI middleware: request counts and latencies by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        structlog.contextvars.clear_contextvars()  # a request starts with no case bound
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            structlog.contextvars.clear_contextvars()
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            labelled(HTTP_REQUESTS, method, route, str(status["code"])).inc()
            labelled(HTTP_LATENCY, method, route).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI) -> None:
    app.add_middleware(MeasureRequests)

    # A key with the role ``metrics`` (or ``admin``): the counters name routes, groups and
    # volumes a stranger has no business reading. The edge has already refused a missing key.
    @app.get(
        "/metrics",
        tags=["operations"],
        include_in_schema=False,
        dependencies=[Depends(require_role("metrics"))],
    )
    async def metrics(request: Request) -> Response:
        context = getattr(request.app.state, "context", None)
        if context is not None:
            try:
                await refresh_consumer_gauges(context.log, context.engine)
            except Exception as exc:  # the other metrics are still worth serving
                log.warning("consumer_gauges_failed", error=type(exc).__name__)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


TIMERS_FIRED = Counter("fq_timers_fired_total", "Timers fired, by outcome", ["outcome"])
PENDING_TIMERS = Gauge("fq_pending_timers", "Timers scheduled and not yet fired")
UNKNOWN_CALENDAR_YEARS = Counter(
    "fq_calendar_unknown_year_total", "Deadlines computed in a year without holiday data", ["year"]
)
