"""API keys (``Authorization: Bearer <key>``): who the caller is, where and what it may do.

A key carries region codes (unit code prefixes) and roles. A case outside the caller's
regions answers 404, never 403, so its existence does not leak.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from shared.api.problems import Problem
from shared.config import ApiKeySetting


@dataclass(frozen=True)
class Principal:
    client: str
    regions: tuple[str, ...]
    roles: frozenset[str]

    def can_see(self, unit_code: str) -> bool:
        return any(unit_code.startswith(region) for region in self.regions)

    def has(self, role: str) -> bool:
        return role in self.roles or "admin" in self.roles

    @property
    def sees_everything(self) -> bool:
        return "" in self.regions


class KeyRing:
    def __init__(self, keys: Iterable[ApiKeySetting]) -> None:
        self._by_digest = {
            self.digest(k.key.get_secret_value()): Principal(
                client=k.client, regions=tuple(k.regions), roles=frozenset(k.roles)
            )
            for k in keys
        }

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def principals_by_digest(self) -> list[tuple[str, Principal]]:
        return list(self._by_digest.items())

    def authenticate(self, authorization: str | None) -> Principal:
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _unauthorized("send an API key as 'Authorization: Bearer <key>'")
        principal = self._by_digest.get(self.digest(key.strip()))
        if principal is None:
            raise _unauthorized("the API key is not known")
        return principal


def _unauthorized(detail: str) -> Problem:
    return Problem(
        status=401,
        slug="unauthorized",
        title="Authentication required",
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden_role(role: str) -> Problem:
    return Problem(
        status=403,
        slug="forbidden",
        title="Role required",
        detail=f"this operation needs the role {role!r}",
        required_role=role,
    )
