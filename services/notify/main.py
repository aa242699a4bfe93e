"""The notify service: plan notices from case events, keep the outbox, deliver it.

The development sandbox receiver is started beside it by ``services/processes.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.notify import api
from services.notify.channels.registry import default_channels
from services.notify.config import NotifySettings
from services.notify.dispatcher import Dispatcher
from services.notify.handlers import NotifyPlanner
from services.notify.http_client import make_http_client
from services.notify.outbox.projection import DeliveryOutbox, claimable
from services.notify.runtime import NotifyRuntime
from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.consumers.relevance import needs_work
from shared.log.port import Delivery
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    settings = NotifySettings()
    client = make_http_client(settings)
    channels = default_channels(settings, client)
    dispatcher = Dispatcher(
        log=context.log,
        engine=context.engine,
        tree=context.tree,
        channels=channels,
        settings=settings,
    )
    context.runtimes.put(NotifyRuntime(dispatcher=dispatcher))
    context.stoppers["notify.dispatcher"] = dispatcher.stop
    planner = ReactorRunner(
        log=context.log,
        engine=context.engine,
        reactor=NotifyPlanner(log=context.log, tree=context.tree, channels=channels.names()),
        max_attempts=context.settings.reactor_max_attempts,
    )
    deliveries = DeliveryOutbox()

    def wake_if_claimable(batch: Sequence[Delivery]) -> None:
        if needs_work(batch, claimable):
            dispatcher.wake()

    outbox = ProjectionRunner(
        log=context.log,
        engine=context.engine,
        projection=deliveries,
        on_committed=wake_if_claimable,
    )

    async def dispatch() -> None:
        try:
            await dispatcher.run()
        finally:
            await client.aclose()

    return [
        ("notify", planner.run),
        ("notify.outbox", outbox.run),
        ("notify.dispatcher", dispatch),
    ]


SERVICE = ServiceModule(
    name="notify", routers=[api.router], workers=workers, settings=[NotifySettings]
)
