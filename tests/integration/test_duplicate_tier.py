"""A graver report folded into an incident raises the incident (合并工单, RULES.md §2b): the
fifth caller who says a fight broke out is not left with the grid worker of a noise case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.all_in_one import SERVICES
from services.escalation.config import LadderSettings
from shared.vocabulary import Tier
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.test_duplicates import streams, until
from tests.integration.test_intake_api import MY_GRID, report

pytestmark = pytest.mark.folding

NOISE = report(title="狗叫扰民", description="邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。")
FIGHT = report(
    title="狗叫引发斗殴", description="邻居家的狗每天晚上叫到深夜，两家为此打了起来，一人受伤住院。"
)


async def noise_and_fight(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """A blue noise report and a yellow fight over the same dog, each assigned on its own."""
    noise = (await api.post("/v1/cases", json={**NOISE, "unit_code": MY_GRID.code})).json()
    fight = (await api.post("/v1/cases", json={**FIGHT, "unit_code": MY_GRID.code})).json()
    ids = [noise["id"], fight["id"]]

    async def both_assigned() -> bool:
        return all("CaseAssigned" in s for s in (await streams(api, ids)).values())

    await until(api, both_assigned)
    return noise, fight


async def test_a_graver_folded_report_raises_the_incident_and_the_ladder_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FQ_DUPLICATES_FOLD_THRESHOLD", "1.0")  # a supervisor folds
    async with running_app(embedded_settings(tmp_path), SERVICES) as api:
        noise, fight = await noise_and_fight(api)
        folded = await api.post(
            f"/v1/cases/{fight['id']}/fold",
            json={"into_case_id": noise["id"], "reason": "同一只狗引起"},
        )
        assert folded.status_code == 201, folded.text
        again = await api.post(f"/v1/cases/{fight['id']}/unfold", json={"reason": "先拆开再合并"})
        assert again.status_code == 201, again.text
        refolded = await api.post(
            f"/v1/cases/{fight['id']}/fold",
            json={"into_case_id": noise["id"], "reason": "同一只狗引起"},
        )
        assert refolded.status_code == 201, refolded.text
        start = LadderSettings().start_level[Tier.YELLOW].value

        async def raised_and_moved() -> bool:
            page = (await api.get(f"/v1/cases/{noise['id']}")).json()
            seen = (await streams(api, [noise["id"]]))[noise["id"]]
            return (
                page["tier"] == Tier.YELLOW.value
                and page["level"] == start
                and seen.count("DuplicateAttached") == 2  # the second fold handled too
            )

        await until(api, raised_and_moved)
        history = (await api.get(f"/v1/cases/{noise['id']}/events")).json()

    overrides = [e["payload"] for e in history if e["type"] == "TierOverridden"]
    assert len(overrides) == 1, "one raise, blue to yellow"
    assert overrides[0]["overridden_by"] == "rule" and overrides[0]["previous_tier"] == "blue"
    assert fight["number"] in overrides[0]["reason"]
