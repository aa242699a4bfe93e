"""GET /v1/stats and the unit queues answer each API key for its own regions only, and
refuse bad input with problem+json."""

from __future__ import annotations

from datetime import timedelta

import httpx

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.measures.main import SERVICE as LIFECYCLE
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from tests.integration.api_client import TOWNSHIP_CLIENT_KEY, api_keys_for_tests, running_app
from tests.integration.conftest import START
from tests.integration.lifecycle_support import until
from tests.integration.test_escalation_service import RED
from tests.integration.test_intake_api import (
    MY_GRID,
    MY_TOWNSHIP,
    OTHER_GRID,
    OTHER_TOWNSHIP,
    assert_problem,
    report,
)

TOWNSHIP_KEY = {"Authorization": f"Bearer {TOWNSHIP_CLIENT_KEY}"}


async def test_each_key_sees_the_measures_and_queues_of_its_regions(
    settings_for: CommonSettings,
) -> None:
    keys = api_keys_for_tests(township_region=MY_TOWNSHIP.code[:9])
    settings = settings_for.model_copy(update={"api_keys": keys})
    async with running_app(settings, [INTAKE, TRIAGE, ESCALATION, LIFECYCLE]) as api:
        for body in (report(), report(**RED), report(unit_code=OTHER_GRID.code)):
            assert (await api.post("/v1/cases", json=body)).status_code == 201
        seen = await until(api, [MY_GRID.code], lambda s: s.stats["total"]["assignments"] == 3)
        assert seen.stats["total"]["cases"] == 3

        mine = (await api.get("/v1/stats", headers=TOWNSHIP_KEY)).json()
        assert mine["total"]["cases"] == 2
        by_tier = await api.get("/v1/stats?group_by=tier", headers=TOWNSHIP_KEY)
        assert {g["key"]: g["cases"] for g in by_tier.json()["groups"]} == {"blue": 1, "red": 1}
        by_unit = (await api.get("/v1/stats?group_by=unit")).json()["groups"]
        assert {g["key"] for g in by_unit} == {MY_GRID.code, MY_TOWNSHIP.code, OTHER_GRID.code}
        there = (await api.get(f"/v1/stats?unit={OTHER_TOWNSHIP.code}")).json()
        assert there["total"]["cases"] == 1
        later = (START + timedelta(days=1)).isoformat()
        window = (await api.get("/v1/stats", params={"from": later})).json()
        assert window["total"]["cases"] == 0 and window["total"]["within_village_rate"] is None

        assert_problem(
            await api.get(f"/v1/stats?unit={OTHER_TOWNSHIP.code}", headers=TOWNSHIP_KEY),
            404,
            "not-found",
        )
        assert_problem(
            await api.get(f"/v1/units/{OTHER_GRID.code}/queue", headers=TOWNSHIP_KEY),
            404,
            "not-found",
        )
        queue = await api.get(f"/v1/units/{MY_GRID.code}/queue", headers=TOWNSHIP_KEY)
        assert queue.json()["counts"]["open"] == 1
        await _bad_input(api)


async def _bad_input(api: httpx.AsyncClient) -> None:
    start, end = START.isoformat(), (START - timedelta(days=1)).isoformat()
    assert_problem(await api.get("/v1/stats", params={"from": start, "to": end}), 400, "bad-window")
    answer = await api.get("/v1/stats?group_by=colour")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert_problem(await api.get("/v1/units/999999/queue"), 404, "not-found")
