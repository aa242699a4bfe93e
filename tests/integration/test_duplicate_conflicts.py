"""A supervisor's fold is not refused because something else appended to the report's case
meanwhile (notify's deliveries, the ladder's timers): the command reads the case again,
checks again and appends (合并工单, RULES.md §2b)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.all_in_one import SERVICES
from shared.cases.catalogue.duplicates import DuplicateProposed
from shared.events.envelope import new_event
from shared.log.port import ANY_VERSION
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.test_duplicate_tier import noise_and_fight

pytestmark = pytest.mark.folding


async def test_a_fold_meeting_an_append_meanwhile_is_checked_again_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FQ_DUPLICATES_FOLD_THRESHOLD", "1.0")  # a supervisor folds
    async with running_app(embedded_settings(tmp_path), SERVICES) as api:
        noise, fight = await noise_and_fight(api)
        log = api.app.state.context.log  # type: ignore[attr-defined]
        append, raced = log.append, []

        async def append_after_another(case_id: str, events: list[Any], **kw: Any) -> Any:
            """The first append of the fold finds the case moved on by someone else."""
            if case_id == fight["id"] and not raced:
                other = DuplicateProposed(
                    candidate_case_id=noise["id"], candidate_case_number=noise["number"], score=0.6
                )
                raced.append(new_event(other, case_id=case_id, producer="test"))
                await append(case_id, raced[-1:], expected_version=ANY_VERSION)
            return await append(case_id, events, **kw)

        monkeypatch.setattr(log, "append", append_after_another)
        folded = await api.post(
            f"/v1/cases/{fight['id']}/fold",
            json={"into_case_id": noise["id"], "reason": "同一只狗引起"},
        )
        stream = await log.read_stream(fight["id"])

    assert folded.status_code == 201, folded.text
    ids_in_order = [e.event_id for e in stream]
    (fold_event,) = [e for e in stream if e.event_type == "ReportFolded"]
    assert ids_in_order.index(raced[0].event_id) < ids_in_order.index(fold_event.event_id)
