"""Intake's own dependencies: case numbering and read-model queries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.intake.cases.queries import CaseQueries
from services.intake.numbers import CaseNumbers
from services.intake.runtime import IntakeRuntime
from shared.api.deps import context_of
from shared.runtime.context import AppContext


def numbers_of(context: AppContext) -> CaseNumbers:
    """The process's case numbering (made when the intake service started)."""
    return context.runtimes.require(IntakeRuntime).numbers


async def get_numbers(request: Request) -> CaseNumbers:
    return numbers_of(context_of(request))


async def get_queries(request: Request) -> CaseQueries:
    return CaseQueries(context_of(request).engine)


NumbersDep = Annotated[CaseNumbers, Depends(get_numbers)]
QueriesDep = Annotated[CaseQueries, Depends(get_queries)]
