"""The API's edge, before any route runs: a known key for protected paths, a bounded body.

A plain ASGI middleware, so it acts before FastAPI reads a byte of the body:

* a request to a protected path (every ``/v1`` route and ``/metrics``) without a known
  ``Authorization: Bearer <key>`` or a live console session cookie is answered 401 and its
  body is never read; on a session cookie, a request that changes state without the
  session's CSRF token is answered 403 (``shared/api/session.py``); the session's caller is
  left in the request's state for the routes;
* a body larger than ``FQ_MAX_BODY_BYTES`` is answered 413, at once when ``Content-Length``
  says so, or as soon as a chunked body grows past the limit (bytes are counted as they
  arrive, so a huge body is never held in memory).

Roles are still checked by each route's dependency (403); this layer only knows who calls.
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.api.auth import KeyRing, Principal
from shared.api.problems import Problem, problem_response
from shared.api.session import CSRF_HEADER, Sessions, cookie_of

PROTECTED_PREFIXES = ("/v1/", "/metrics")


class BodyTooLarge(Exception):
    """The body grew past the limit while it was being received."""


def needs_key(path: str) -> bool:
    return path.startswith(PROTECTED_PREFIXES) or path == "/v1"


def too_large(limit: int) -> Problem:
    return Problem(
        status=413,
        slug="payload-too-large",
        title="Request body too large",
        detail=f"the request body exceeds {limit} bytes",
        max_bytes=limit,
    )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


def caller(scope: Scope, keys: KeyRing, sessions: Sessions) -> Principal:
    """Who sends a request: its bearer key, else its console session (401 / 403 problems)."""
    authorization = _header(scope, b"authorization")
    cookie = cookie_of(_header(scope, b"cookie"))
    if authorization or cookie is None:
        return keys.authenticate(authorization)
    csrf = _header(scope, CSRF_HEADER.encode())
    return sessions.authenticate(cookie, method=scope["method"], csrf=csrf)


async def _answer(problem: Problem, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        status=problem.status,
        slug=problem.slug,
        title=problem.title,
        detail=problem.detail,
        instance=scope.get("path"),
        headers=problem.headers,
        **problem.extras,
    )
    await response(scope, receive, send)


class GuardEdge:
    """Refuse unauthenticated requests to protected paths and bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, keys: KeyRing, sessions: Sessions, max_bytes: int) -> None:
        self.app = app
        self.keys = keys
        self.sessions = sessions
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if needs_key(scope["path"]):
            try:
                principal = caller(scope, self.keys, self.sessions)
            except Problem as refused:
                await _answer(refused, scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _answer(too_large(self.max_bytes), scope, receive, send)
            return
        await self._counting(scope, receive, send)

    async def _counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting body bytes; past the limit answer 413 instead."""
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app made of the interrupted body is replaced
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
        if exceeded and not started:
            await _answer(too_large(self.max_bytes), scope, receive, send)
