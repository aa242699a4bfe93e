"""The per-case models of a rebuild's batch, folded case by case together.

A batch of 20,000 events is far larger than the processor's caches: folded model by model,
every model's fold fetched every event from memory again. Folded case by case, the models
that fold cases (``PerCaseProjection``) take each case's events in turn while they are
still in the cache (a third less time for the three folds, measured). Each model still
reads and writes its own tables in its own transaction: the reads of all of them first,
then the folds, then the writes, side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.per_case import CaseStreams, PerCaseProjection, fold_cases


async def run_all(steps: Iterable[Awaitable[Any]]) -> list[Any]:
    """Run the steps at once; the first failure is raised once every step has ended."""
    outcomes = await asyncio.gather(*steps, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes


async def fold_together(
    engine: AsyncEngine,
    writers: list[PerCaseProjection[Any]],
    cases: CaseStreams,
    *,
    new_cases: Collection[str],
    prepare: Callable[[AsyncConnection], Awaitable[None]],
) -> None:
    """What ``apply_cases`` of each writer does, each in its own transaction (``prepare``d),
    with the folds taken case by case across the writers."""
    async with contextlib.AsyncExitStack() as stack:
        conns = [await stack.enter_async_context(engine.begin()) for _ in writers]
        await run_all(prepare(conn) for conn in conns)
        stored: list[dict[str, Any]] = await run_all(
            writer.load_known(conn, cases, new_cases=new_cases)
            for writer, conn in zip(writers, conns, strict=True)
        )
        changed: list[dict[str, Any]] = [{} for _ in writers]
        await fold_cases(
            cases,
            [
                (writer.fold, before_of, after_of)
                for writer, before_of, after_of in zip(writers, stored, changed, strict=True)
            ],
        )
        await run_all(
            writer.store_changed(conn, after_of, before_of)
            for writer, conn, before_of, after_of in zip(
                writers, conns, stored, changed, strict=True
            )
        )
