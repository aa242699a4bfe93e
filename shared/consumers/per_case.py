"""A projection whose rows are a pure fold of each case's events.

A batch reads the affected cases' state once, folds their events in memory in sequence
order, and replaces those cases' rows (only cases that had rows have any to remove: a case
first seen in the batch, as nearly every case is in a rebuild, is only inserted). Each
state records the last sequence it applied: a duplicate delivery is skipped, and a gap
(records of one case out of order) is filled from the case stream, so the rows never
depend on how the log was cut into batches.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from operator import attrgetter
from typing import Any, Generic, Self, TypeVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog

State = TypeVar("State")
SEQUENCE = attrgetter("sequence")

CaseStreams = dict[str, list[EventEnvelope]]
"""A batch's events by case, each case's in sequence order."""


def new_in(cases: CaseStreams) -> frozenset[str]:
    """The cases whose events here begin with their first (sequence 1). A pass over the log
    from its start that has applied every earlier record, and none of these, has stored
    nothing for them yet: a rebuild's pass does not look their rows up. (A case's records
    are in sequence order in the log, so none came before its first.)"""
    return frozenset(case_id for case_id, events in cases.items() if events[0].sequence == 1)


Fold = Callable[[Any, list[EventEnvelope]], Awaitable[Any]]


async def fold_cases(
    cases: CaseStreams, folds: Sequence[tuple[Fold, dict[str, Any], dict[str, Any]]]
) -> None:
    """Each case's events through every fold in turn (``PerCaseProjection.fold``), from its
    state in the fold's ``before`` (None if absent); a state the events changed goes into
    its ``after``. Several folds take a case one after the other, while its events are in
    the processor's cache (``shared.consumers.rebuild_folds``)."""
    for case_id, events in cases.items():
        for fold, before_of, after_of in folds:
            before = before_of.get(case_id)
            after = await fold(before, events)
            if after is not None and after is not before:
                after_of[case_id] = after


def by_case(events: Sequence[EventEnvelope]) -> CaseStreams:
    """The events by case, each case's in sequence order (a rebuild groups a batch once for
    every projection that takes it so: ``apply_cases``)."""
    streams: CaseStreams = {}
    out_of_order: set[str] = set()
    for event in events:
        case_events = streams.get(event.case_id)
        if case_events is None:
            streams[event.case_id] = [event]
            continue
        if case_events[-1].sequence >= event.sequence:
            out_of_order.add(event.case_id)  # nearly never: a log keeps each case in order
        case_events.append(event)
    for case_id in out_of_order:
        streams[case_id].sort(key=SEQUENCE)
    return streams


class PerCaseProjection(ABC, Generic[State]):
    group: str
    default_tables: tuple[Table, ...]
    """The tables it writes; a rebuild gives it fresh copies with the same columns."""

    def __init__(self, *, log: EventLog, tables: Mapping[str, Table] | None = None) -> None:
        self._log = log
        self._tables = {t.name: t for t in self.default_tables} | dict(tables or {})

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(self._tables[t.name] for t in self.default_tables)

    def table(self, model: Table) -> Table:
        """The table this instance writes in place of ``model``."""
        return self._tables[model.name]

    def writing_to(self, tables: Mapping[str, Table]) -> Self:
        """The same projection writing into other tables (a rebuild's fresh copies)."""
        return type(self)(log=self._log, tables=tables)

    @abstractmethod
    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, State]:
        """The stored state of these cases (absent ones are not in the answer)."""

    @abstractmethod
    async def store(
        self, conn: AsyncConnection, states: dict[str, State], stored: Collection[str]
    ) -> None:
        """Replace the rows of these cases by their new state; ``stored`` are the cases
        among them that had rows (``load`` found them), the others have none to remove."""

    @abstractmethod
    def evolve(self, state: State | None, event: EventEnvelope) -> State | None:
        """The state after one event (None while the case has not been reported); a state
        it returns has the event's sequence as its ``version``."""

    def evolve_owned(self, state: State | None, event: EventEnvelope) -> State | None:
        """``evolve`` of a state an earlier ``evolve`` of the same fold made: it may be
        changed in place (nothing else holds it)."""
        return self.evolve(state, event)

    @abstractmethod
    def version(self, state: State) -> int:
        """The last sequence applied."""

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        await self.apply_cases(by_case(events), conn, new_cases=new_cases)

    async def apply_cases(
        self, cases: CaseStreams, conn: AsyncConnection, *, new_cases: Collection[str] = ()
    ) -> None:
        """``apply_many`` on events already grouped by case (``by_case``); ``new_cases``
        have nothing stored yet (``new_in``), so they are not loaded."""
        stored = await self.load_known(conn, cases, new_cases=new_cases)
        changed: dict[str, State] = {}
        await fold_cases(cases, [(self.fold, stored, changed)])
        await self.store_changed(conn, changed, stored)

    async def load_known(
        self, conn: AsyncConnection, cases: CaseStreams, *, new_cases: Collection[str] = ()
    ) -> dict[str, State]:
        """``load`` of the cases that may have rows (all but ``new_cases``)."""
        known = [case_id for case_id in cases if case_id not in new_cases]
        return await self.load(conn, known) if known else {}

    async def store_changed(
        self, conn: AsyncConnection, changed: dict[str, State], stored: Collection[str]
    ) -> None:
        """``store`` of the changed cases; ``stored``: what ``load_known`` found."""
        if changed:
            await self.store(conn, changed, [case_id for case_id in changed if case_id in stored])

    async def fold(self, state: State | None, events: list[EventEnvelope]) -> State | None:
        """The state after one case's events (in sequence order) from ``state`` (as
        ``load`` gave it, or None); a duplicate is skipped, a gap filled from the log."""
        evolve = self.evolve  # the state came from ``load`` (or is None): not the fold's own
        version = self.version(state) if state is not None else 0
        for index, event in enumerate(events):
            if event.sequence != version + 1:
                return await self._fold_checked(state, events[index:])
            state = evolve(state, event)  # the usual case: the next event
            if state is None:
                version = 0  # what ``version`` gives
            else:
                version = event.sequence
                evolve = self.evolve_owned  # a state this fold made
        return state

    async def _fold_checked(self, state: State | None, events: list[EventEnvelope]) -> State | None:
        """The fold where an event may be a duplicate or come after a gap."""
        evolve, version_of = self.evolve, self.version
        for event in events:
            version = version_of(state) if state is not None else 0
            sequence = event.sequence
            if sequence == version + 1:  # the next event
                state = evolve(state, event)
            elif sequence > version:  # a gap: fill it from the case stream
                for item in await self._log.read_stream(event.case_id, after=version):
                    if item.sequence <= sequence:
                        state = evolve(state, item)
            # else a duplicate delivery
        return state
