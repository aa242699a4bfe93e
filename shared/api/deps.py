"""FastAPI dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from shared.api.auth import Principal, forbidden_role
from shared.log.port import EventLog
from shared.org.tree import OrgTree
from shared.runtime.context import AppContext


def context_of(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


# Dependencies are ``async def`` so FastAPI calls them on the event loop, not in a thread.
async def get_context(request: Request) -> AppContext:
    return context_of(request)


def principal_of(request: Request) -> Principal:
    """Who calls: on a protected path the edge has already found the caller (its bearer key,
    else its console session; ``shared/api/edge.py``); elsewhere its bearer key (401)."""
    found: Principal | None = request.scope.get("state", {}).get("principal")
    if found is not None:
        return found
    return context_of(request).keys.authenticate(request.headers.get("authorization"))


# The key is read from the request itself, not declared as a header parameter: FastAPI
# validating that parameter and solving one more level of dependencies cost more per
# request than finding the caller. It is documented as the bearerAuth security scheme
# (shared/api/openapi.py), never as a parameter.
async def get_principal(request: Request) -> Principal:
    return principal_of(request)


async def get_log(request: Request) -> EventLog:
    return context_of(request).log


async def get_tree(request: Request) -> OrgTree:
    return context_of(request).tree


ContextDep = Annotated[AppContext, Depends(get_context)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
LogDep = Annotated[EventLog, Depends(get_log)]
TreeDep = Annotated[OrgTree, Depends(get_tree)]


KEYED: set[Callable[..., Awaitable[Principal]]] = {get_principal}
"""The dependencies that need a caller's key: an operation using one is documented with the
bearerAuth security requirement and its 401, 403 and 404 (shared/api/openapi.py)."""


def require_role(role: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits only callers holding ``role`` (one level: the caller and the
    role are checked in one call)."""

    async def check(request: Request) -> Principal:
        principal = principal_of(request)
        if not principal.has(role):
            raise forbidden_role(role)
        return principal

    KEYED.add(check)
    return check
