"""The sandbox receiver as a background worker of a process (``make run``'s notify)."""

from __future__ import annotations

import asyncio

from services.sandbox.receiver import Receiver
from shared.runtime.service import Worker


def sandbox_worker(port: int, secret: bytes) -> Worker:
    """Serve the sandbox on ``port`` (checking signatures with ``secret``) until cancelled."""

    async def run() -> None:
        receiver = await Receiver(secret=secret).start(port)
        try:
            await asyncio.Event().wait()
        finally:
            await receiver.stop()

    return run
