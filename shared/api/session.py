"""Console sessions: a signed, expiring cookie standing for an API key, and its CSRF token.

A person signs in to the console with an API key once; the browser then holds only an
``HttpOnly; SameSite=Strict`` cookie (``Secure`` behind TLS) that names the key by an HMAC of
its digest (never the key, nor a value a script can read), when it expires, and a random
nonce, all signed with the session secret. Every ``/v1`` route accepts that cookie in place
of ``Authorization: Bearer``, with the same identity, roles and regions. A request that
changes state (any method but GET, HEAD, OPTIONS) on a cookie must also carry the session's
CSRF token in ``X-CSRF-Token``; the token is derived from the cookie, so it is handed to the
page on sign-in and is worthless on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.api.auth import KeyRing, Principal
from shared.api.problems import Problem

COOKIE = "fq_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REF_BYTES = 16


def _mac(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Opened:
    """A new session: the cookie's value, its CSRF token, who it is and when it expires."""

    cookie: str
    csrf: str
    principal: Principal
    expires_at: float


class Sessions:
    """Opens and checks session cookies for the keys of one key ring."""

    def __init__(
        self,
        keys: KeyRing,
        *,
        secret: bytes,
        lifetime_seconds: float,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._lifetime = lifetime_seconds
        self._now = now
        self._keys = keys
        self._by_ref = {self._ref(digest): p for digest, p in keys.principals_by_digest()}

    @property
    def lifetime_seconds(self) -> int:
        return int(self._lifetime)

    def _ref(self, digest: str) -> str:
        return _mac(self._secret, f"key:{digest}")[:_REF_BYTES]

    def open(self, key: str) -> Opened:
        """Sign in with an API key: 401 (as over REST) when it is not known."""
        principal = self._keys.authenticate(f"Bearer {key}")
        expires = self._now() + self._lifetime
        payload = f"{self._ref(KeyRing.digest(key.strip()))}.{int(expires)}.{secrets.token_hex(8)}"
        cookie = f"{payload}.{_mac(self._secret, payload)}"
        return Opened(cookie, self.csrf_of(cookie), principal, expires)

    def csrf_of(self, cookie: str) -> str:
        return _mac(self._secret, f"csrf:{cookie}")

    def principal(self, cookie: str) -> Principal | None:
        """Who a cookie stands for; None when it is forged, altered, expired or its key gone."""
        payload, _, signature = cookie.rpartition(".")
        if not payload or not hmac.compare_digest(_mac(self._secret, payload), signature):
            return None
        ref, expires, _nonce = [*payload.split("."), "", "", ""][:3]
        if not expires.isdigit() or int(expires) <= self._now():
            return None
        return self._by_ref.get(ref)

    def authenticate(self, cookie: str, *, method: str, csrf: str | None) -> Principal:
        """The caller of a request carrying the session cookie (401 / 403 problems)."""
        principal = self.principal(cookie)
        if principal is None:
            raise Problem(
                status=401,
                slug="session-expired",
                title="Session expired",
                detail="the console session is unknown or has expired: sign in again",
            )
        if method not in SAFE_METHODS and not hmac.compare_digest(csrf or "", self.csrf_of(cookie)):
            raise Problem(
                status=403,
                slug="csrf",
                title="CSRF token missing or wrong",
                detail=f"a request that changes state on a console session needs the "
                f"session's token in {CSRF_HEADER.title()}",
            )
        return principal


def cookie_of(cookie_header: str | None) -> str | None:
    """The session cookie's value in a ``Cookie`` header, if any."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value
    return None
