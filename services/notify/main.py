"""The notify service: plan notices from case events, keep the outbox, deliver it."""

from __future__ import annotations

import httpx

from services.notify import api
from services.notify.channels.registry import default_channels
from services.notify.config import NotifySettings
from services.notify.dispatcher import Dispatcher
from services.notify.handlers import NotifyPlanner
from services.notify.outbox import DeliveryOutbox
from services.sandbox.receiver import Receiver
from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker

DISPATCHER = "notify.dispatcher"


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    settings = NotifySettings()
    client = httpx.AsyncClient(
        timeout=settings.http_timeout_seconds,
        limits=httpx.Limits(max_connections=settings.http_connections),
    )
    channels = default_channels(settings, client)
    dispatcher = Dispatcher(
        log=context.log,
        engine=context.engine,
        tree=context.tree,
        channels=channels,
        settings=settings,
    )
    context.extras[DISPATCHER] = dispatcher
    context.stoppers["notify.dispatcher"] = dispatcher.stop
    planner = ReactorRunner(
        log=context.log,
        engine=context.engine,
        reactor=NotifyPlanner(log=context.log, tree=context.tree, channels=channels.names()),
    )
    outbox = ProjectionRunner(
        log=context.log,
        engine=context.engine,
        projection=DeliveryOutbox(),
        on_committed=lambda _batch: dispatcher.wake(),
    )

    async def dispatch() -> None:
        try:
            await dispatcher.run()
        finally:
            await client.aclose()

    found: list[tuple[str, Worker]] = [
        ("notify", planner.run),
        ("notify.outbox", outbox.run),
        ("notify.dispatcher", dispatch),
    ]
    if settings.sandbox_port is not None:
        found.append(("notify.sandbox", _sandbox(settings.sandbox_port, settings)))
    return found


def _sandbox(port: int, settings: NotifySettings) -> Worker:
    async def run() -> None:
        import asyncio

        receiver = await Receiver(secret=settings.signing_secret.get_secret_value().encode()).start(
            port
        )
        try:
            await asyncio.Event().wait()
        finally:
            await receiver.stop()

    return run


SERVICE = ServiceModule(
    name="notify", routers=[api.router], workers=workers, settings=[NotifySettings]
)
