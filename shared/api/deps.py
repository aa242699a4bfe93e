"""FastAPI dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

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


async def get_principal(
    request: Request,
    # Documented as the bearerAuth security scheme (shared/api/openapi.py), not a parameter.
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    # Without a bearer key, the caller the edge found by its console session, if any.
    found = None if authorization else getattr(request.state, "principal", None)
    principal = found or context_of(request).keys.authenticate(authorization)
    request.state.client = principal.client
    return principal


async def get_log(request: Request) -> EventLog:
    return context_of(request).log


async def get_tree(request: Request) -> OrgTree:
    return context_of(request).tree


ContextDep = Annotated[AppContext, Depends(get_context)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
LogDep = Annotated[EventLog, Depends(get_log)]
TreeDep = Annotated[OrgTree, Depends(get_tree)]


def require_role(role: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only callers holding ``role``."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.has(role):
            raise forbidden_role(role)
        return principal

    return check
