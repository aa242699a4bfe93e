"""County supervision (督办, RULES.md §3): raised at the county deadline and again every
supervision period while the case stays open; the period has its own setting."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import SHANGHAI
from services.escalation.ladder.commands import AssignCase
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder

T0 = datetime(2025, 9, 20, 10, 0, tzinfo=SHANGHAI)


def supervised_twice(settings: LadderSettings) -> list[datetime]:
    """When the next supervision is due after the first and after the second one."""
    ladder = Ladder(settings=settings)
    ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=T0)
    ladder.fire("deadline")  # township -> county
    first = ladder.fire("deadline")  # the county's limit: the first supervision
    second = ladder.fire("supervision")
    return [first[-1].next_due_at, second[-1].next_due_at]  # type: ignore[attr-defined]


def test_supervision_repeats_every_county_limit_when_its_period_is_not_set() -> None:
    county_deadline = T0 + timedelta(days=5 + 7)
    assert supervised_twice(LadderSettings()) == [
        county_deadline + timedelta(days=7),
        county_deadline + timedelta(days=14),
    ]


def test_supervision_repeats_on_its_own_period_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FQ_LADDER_SUPERVISION_DAYS", "3")
    settings = LadderSettings()
    county_deadline = T0 + timedelta(days=5 + 7)  # the county's time limit is unchanged
    assert supervised_twice(settings) == [
        county_deadline + timedelta(days=3),
        county_deadline + timedelta(days=6),
    ]
    assert settings.version != LadderSettings(supervision_days=None).version  # pinned per case
