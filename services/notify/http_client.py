"""The HTTP client every channel sends through: JSON POSTs over one aiohttp session.

A delivery needs one thing from HTTP: post these bytes with these headers, and say what the
receiver answered. httpx's own connection pool spends more time per request the more
requests share it (on two cores 64 concurrent POSTs went ~110/s, against ~1,900/s through
aiohttp's pool), and httpx's request and response models around aiohttp's transport cost
about as much CPU again as aiohttp's own send, so the channels post through aiohttp
directly: one pooled session, the same timeouts (connecting, waiting for a pooled
connection, each read), proxies from the environment as before, and certificates checked
against the same bundle.

A receiver's URL is parsed once, and the environment's proxy for it looked up once per
origin (httpx read it once, when the client was made): aiohttp's own ``trust_env`` looks
the proxy and a ``.netrc`` up again for every request, each in a worker thread, which cost
more CPU than the post.
"""

from __future__ import annotations

import aiohttp
import httpx
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from services.notify.config import NotifySettings

KEEPALIVE_SECONDS = 5.0
"""How long an idle pooled connection is kept (httpx's default, kept)."""

MOST_TARGETS = 10_000
"""Receiver URLs kept parsed (a county's units, its SMS gateway and 12345 platform)."""

Proxy = tuple[URL | None, aiohttp.BasicAuth | None]


def env_proxy(url: URL) -> Proxy:
    """The proxy the environment names for ``url`` (``HTTP_PROXY``, ``HTTPS_PROXY``, not for
    hosts in ``NO_PROXY``), and its credentials; (None, None) for none."""
    try:
        return get_env_proxy_for_url(url)
    except LookupError:
        return None, None


class HttpClient:
    """A pooled session, opened at the first request (it belongs to the running loop)."""

    def __init__(self, *, timeout_seconds: float, connections: int) -> None:
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=timeout_seconds,
            sock_connect=timeout_seconds,
            sock_read=timeout_seconds,
        )
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[URL, Proxy] = {}
        """Per receiver origin, its proxy from the environment (looked up once)."""
        self._targets: dict[str, tuple[URL, Proxy]] = {}
        """Per receiver URL, parsed, with its proxy (the URLs of a county's receivers)."""

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._connections,
            keepalive_timeout=KEEPALIVE_SECONDS,
            ssl=httpx.create_ssl_context(),
        )
        return aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, auto_decompress=False
        )

    async def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> int:
        """POST ``content``; the status code, once the answer's body is read. aiohttp's
        errors (and ``TimeoutError``) when it did not arrive."""
        if self._session is None:
            self._session = self._open()
        target, (proxy, proxy_auth) = self._targets.get(url) or self._target(url)
        async with self._session.post(
            target,
            data=content,
            headers=headers,
            allow_redirects=False,
            proxy=proxy,
            proxy_auth=proxy_auth,
        ) as response:
            await response.read()
            return response.status

    def _target(self, url: str) -> tuple[URL, Proxy]:
        """``url`` parsed, and its origin's proxy, kept for the next post there."""
        target = URL(url)
        origin = target.origin()
        if origin not in self._proxies:
            self._proxies[origin] = env_proxy(target)
        if len(self._targets) >= MOST_TARGETS:
            self._targets.clear()
        self._targets[url] = (target, self._proxies[origin])
        return self._targets[url]

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


def make_http_client(settings: NotifySettings) -> HttpClient:
    return HttpClient(
        timeout_seconds=settings.http_timeout_seconds, connections=settings.http_connections
    )
