"""The sandbox receiver: webhook endpoints, an SMS gateway and the 12345 platform in one.

It records every request it accepts, deduplicates by ``Idempotency-Key`` the way a real
receiver should, checks signatures when it knows the secret, and can misbehave on purpose
(answer 500, hang past the sender's timeout, answer slowly) so retries can be proven.

    POST /hooks/{name}       a webhook endpoint (one per contact)
    POST /sms                the SMS gateway
    POST /hotline/feedback   the 12345 platform's status callback
    GET  /inbox              what arrived (unique by key), phone numbers masked
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from multidict import CIMultiDict

from shared.api.masking import mask_phone
from shared.api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@dataclass
class Received:
    path: str
    key: str
    body: dict[str, Any]
    headers: CIMultiDict[str]
    """Looked up without regard to case, as HTTP header names are."""
    signature_ok: bool | None
    at: float


@dataclass
class Misbehaviour:
    """What the next requests get instead of a 200."""

    fail_with: int = 0
    failures_left: int = 0
    hang_seconds: float = 0.0
    hangs_left: int = 0
    delay_seconds: float = 0.0


@dataclass
class Receiver:
    secret: bytes | None = None
    requests: list[Received] = field(default_factory=list)
    """Every request that was answered 2xx, duplicates included."""
    first: dict[str, Received] = field(default_factory=dict)
    """The first accepted request per idempotency key, in arrival order."""
    refused: int = 0
    arrivals: int = 0
    """Requests that reached the receiver, answered or not."""
    misbehaviour: Misbehaviour = field(default_factory=Misbehaviour)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    port: int = 0

    # -- what tests and the bench ask ------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def unique(self, path_prefix: str = "/") -> dict[str, Received]:
        """First arrival per idempotency key."""
        return {k: r for k, r in self.first.items() if r.path.startswith(path_prefix)}

    def count_by_key(self, path_prefix: str = "/") -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.requests:
            if r.path.startswith(path_prefix):
                counts[r.key] = counts.get(r.key, 0) + 1
        return counts

    async def wait_for(
        self, predicate: Callable[[Receiver], bool], *, within: float = 30.0
    ) -> None:
        async with self._changed:
            async with asyncio.timeout(within):
                await self._changed.wait_for(lambda: predicate(self))

    def fail_next(self, count: int, *, status: int = 500) -> None:
        self.misbehaviour.fail_with, self.misbehaviour.failures_left = status, count

    def fail_always(self, *, status: int = 500) -> None:
        self.fail_next(10**9, status=status)

    def hang_next(self, count: int, *, seconds: float) -> None:
        self.misbehaviour.hang_seconds, self.misbehaviour.hangs_left = seconds, count

    def recover(self) -> None:
        self.misbehaviour = Misbehaviour()

    # -- serving ---------------------------------------------------------------------------

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> Receiver:
        app = web.Application()
        app.router.add_post("/hooks/{name}", self._accept)
        app.router.add_post("/sms", self._accept)
        app.router.add_post("/hotline/feedback", self._accept)
        app.router.add_get("/inbox", self._inbox)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _accept(self, request: web.Request) -> web.Response:
        raw = await request.read()
        async with self._changed:
            self.arrivals += 1
            self._changed.notify_all()
        m = self.misbehaviour
        if m.hangs_left > 0:
            m.hangs_left -= 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(m.hang_seconds):
                    await self._stopping.wait()
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # the sender gave up or died: nothing arrived
        if m.failures_left > 0:
            m.failures_left -= 1
            self.refused += 1
            return web.json_response({"error": "failing on purpose"}, status=m.fail_with)
        if m.delay_seconds:
            await asyncio.sleep(m.delay_seconds)
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return web.json_response({"error": "Idempotency-Key is required"}, status=400)
        signature_ok = None
        if self.secret is not None and SIGNATURE_HEADER in request.headers:
            signature_ok = verify(
                self.secret,
                timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                body=raw,
                given=request.headers[SIGNATURE_HEADER],
            )
            if not signature_ok:
                return web.json_response({"error": "bad signature"}, status=401)
        duplicate = key in self.first
        received = Received(
            path=request.path,
            key=key,
            body=orjson.loads(raw),
            headers=CIMultiDict(request.headers),
            signature_ok=signature_ok,
            at=asyncio.get_running_loop().time(),
        )
        async with self._changed:
            self.requests.append(received)
            self.first.setdefault(key, received)
            self._changed.notify_all()
        return web.json_response({"ok": True, "duplicate": duplicate})

    async def _inbox(self, request: web.Request) -> web.Response:
        items = []
        for r in self.unique().values():
            body = dict(r.body)
            if body.get("phone"):
                body["phone"] = mask_phone(body["phone"])
            body.pop("parties", None)
            items.append({"path": r.path, "key": r.key, "body": body})
        return web.json_response({"received": items, "requests": len(self.requests)})
