"""Escalation's own dependencies: the ladder this process runs, and the roles of its routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.escalation.runtime import EscalationRuntime
from services.escalation.service import Ladder
from shared.api.auth import Principal
from shared.api.deps import context_of, require_role
from shared.api.problems import Problem


async def get_ladder(request: Request) -> Ladder:
    runtime = context_of(request).runtimes.get(EscalationRuntime)
    if runtime is None:
        raise Problem(
            status=503,
            slug="unavailable",
            title="Escalation is not running here",
            detail="this process does not run the escalation service",
        )
    return runtime.ladder


LadderDep = Annotated[Ladder, Depends(get_ladder)]
Handler = Annotated[Principal, Depends(require_role("handler"))]
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]
Admin = Annotated[Principal, Depends(require_role("admin"))]
Auditor = Annotated[Principal, Depends(require_role("auditor"))]
