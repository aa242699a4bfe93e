"""A case on the ladder, driven by commands at chosen instants (no I/O, no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.ladder.commands import Command, FireTimer
from services.escalation.ladder.decide import decide
from services.escalation.ladder.evolve import evolve
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import TimerRequest
from shared.events.payload import EventPayload
from shared.org.levels import Level

PATH = {
    Level.GRID: "330681106001001",
    Level.VILLAGE: "330681106001",
    Level.TOWNSHIP: "330681106000",
    Level.COUNTY: "330681",
}


@dataclass
class Ladder:
    settings: LadderSettings = field(default_factory=LadderSettings)
    state: LadderState = field(default_factory=lambda: LadderState(case_id="case-1"))
    history: list[EventPayload] = field(default_factory=list)
    timers: dict[str, TimerRequest] = field(default_factory=dict)

    @property
    def calendar(self) -> BusinessCalendar:
        s = self.settings
        return BusinessCalendar(
            mode=s.day_mode, extra_holidays=s.extra_holidays, extra_workdays=s.extra_workdays
        )

    def do(self, command: Command, *, at: datetime) -> list[EventPayload]:
        events = decide(command, self.state, now=at, settings=self.settings, calendar=self.calendar)
        for event in events:
            self.state = evolve(self.state, event)
            for timer in getattr(event, "timers", ()):
                self.timers[timer.timer_id] = timer
        self.history += events
        return events

    def due(self, kind: str) -> TimerRequest:
        """The live timer of a kind."""
        live = [self.timers[t] for t in self.state.live_timers if self.timers[t].kind == kind]
        assert len(live) == 1, f"expected one live {kind} timer, found {len(live)}"
        return live[0]

    def fire(self, kind: str) -> list[EventPayload]:
        timer = self.due(kind)
        return self.do(FireTimer(timer_id=timer.timer_id, unit_path=PATH), at=timer.due_at)

    def types(self, events: list[EventPayload]) -> list[str]:
        return [e.event_type for e in events]
