"""Who sees and works a case across regions: the reporting unit's and the holding unit's
regions see it, only the holding unit's region works it, and nobody names a unit outside
its regions (reassignment target, report, 12345 work order) unless its key may report
anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from services.all_in_one import SERVICES
from services.intake.runtime import IntakeRuntime
from services.measures.runtime import MeasuresRuntime
from shared.config import ApiKeySetting, CommonSettings
from shared.consumers.progress import Progress
from shared.org.levels import Level
from tests.integration.api_client import api_keys_for_tests, embedded_settings, running_app
from tests.integration.test_escalation_service import case_when
from tests.integration.test_intake_api import (
    MY_GRID,
    MY_TOWNSHIP,
    OTHER_GRID,
    OTHER_TOWNSHIP,
    TREE,
    report,
)

A, B = MY_TOWNSHIP.code[:9], OTHER_TOWNSHIP.code[:9]
KEYS = {
    "a-supervisor": ([A], ["reader", "reporter", "supervisor"]),
    "a-handler": ([A], ["reader", "handler"]),
    "b-handler": ([B], ["reader", "handler"]),
    "county": ([TREE.county.code], ["reader", "supervisor"]),
    "platform": ([A], ["reader", "reporter", "report-anywhere"]),
}


def as_(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}-key"}


def with_region_keys(settings: CommonSettings) -> CommonSettings:
    keys = api_keys_for_tests(township_region="") + [
        ApiKeySetting(key=SecretStr(f"{name}-key"), client=name, regions=regions, roles=roles)
        for name, (regions, roles) in KEYS.items()
    ]
    return settings.model_copy(update={"api_keys": keys})


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    return body


async def once_projected(progress: Progress, check: Any) -> None:
    """Await the read model's commits until ``check`` holds (AssertionError after 30 s)."""
    try:
        await progress.wait_until(check, within=30)
    except TimeoutError:
        raise AssertionError("the read model never satisfied the check") from None


async def queued(api: httpx.AsyncClient, unit: str, key: str, case_id: str) -> bool:
    answer = await api.get(f"/v1/units/{unit}/queue", headers=as_(key))
    assert answer.status_code == 200, answer.text
    return case_id in [item["case_id"] for item in answer.json()["items"]]


async def listed(api: httpx.AsyncClient, key: str, case_id: str) -> bool:
    answer = await api.get("/v1/cases", headers=as_(key))
    assert answer.status_code == 200, answer.text
    return case_id in [case["id"] for case in answer.json()["items"]]


async def test_a_case_moved_to_another_township_is_worked_there_and_read_by_both(
    settings_for: CommonSettings,
) -> None:
    async with running_app(with_region_keys(settings_for), SERVICES) as api:
        posted = await api.post("/v1/cases", json=report(), headers=as_("a-supervisor"))
        case_id = posted.json()["id"]
        await case_when(api, case_id, lambda c: c["level"] == Level.GRID.value)
        base = f"/v1/cases/{case_id}"
        bounced = await api.post(
            f"{base}/bounce-back", json={"reason": "不属本网格"}, headers=as_("a-handler")
        )
        assert bounced.status_code == 201, bounced.text

        # Township A's supervisor cannot send the case into township B.
        target = {"unit_code": OTHER_GRID.code}
        refused = await api.post(
            f"{base}/bounce-back/reassign", json=target, headers=as_("a-supervisor")
        )
        assert problem(refused, 404)["detail"] == f"unit {OTHER_GRID.code} was not found"
        events = (await api.get(f"{base}/events")).json()
        assert "BounceBackReassigned" not in [e["type"] for e in events]

        # The county centre can; B's handler then reads, finds and acknowledges it.
        moved = await api.post(f"{base}/bounce-back/reassign", json=target, headers=as_("county"))
        assert moved.status_code == 201, moved.text
        await case_when(api, case_id, lambda c: c["holder_unit_code"] == OTHER_GRID.code)
        assert (await api.get(base, headers=as_("b-handler"))).status_code == 200
        assert (await api.get(f"{base}/events", headers=as_("b-handler"))).status_code == 200
        runtimes = api.app.state.context.runtimes  # type: ignore[attr-defined]
        cases, queues = (
            runtimes.require(IntakeRuntime).cases,
            runtimes.require(MeasuresRuntime).queues,
        )
        await once_projected(cases, lambda: listed(api, "b-handler", case_id))
        await once_projected(queues, lambda: queued(api, OTHER_GRID.code, "b-handler", case_id))
        ack = await api.post(f"{base}/acknowledgement", headers=as_("b-handler"))
        assert ack.status_code == 201, ack.text

        # A's handler still reads the case its township reported, but no longer works it.
        assert (await api.get(base, headers=as_("a-handler"))).status_code == 200
        assert await listed(api, "a-handler", case_id)
        assert not await queued(api, MY_GRID.code, "a-handler", case_id)
        attempt = {"result": "failed", "note": "上门调解"}
        not_ours = await api.post(f"{base}/attempts", json=attempt, headers=as_("a-handler"))
        assert problem(not_ours, 403)["type"].endswith("not-holding-unit")
        assert problem(
            await api.get(f"/v1/units/{OTHER_GRID.code}/queue", headers=as_("a-handler")), 404
        )


async def test_a_report_into_another_region_is_refused_unless_the_key_reports_anywhere(
    settings_for: CommonSettings,
) -> None:
    address = f"{OTHER_TOWNSHIP.name}某村12号"
    async with running_app(with_region_keys(settings_for), SERVICES) as api:
        elsewhere = await api.post(
            "/v1/cases", json=report(unit_code=OTHER_GRID.code), headers=as_("a-supervisor")
        )
        assert problem(elsewhere, 403)["errors"][0]["field"] == "unit_code"
        by_code = {"work_order_no": "GD-X-1", "content": "噪音扰民", "area_code": OTHER_GRID.code}
        refused = await api.post(
            "/v1/hotline/work-orders", json=by_code, headers=as_("a-supervisor")
        )
        assert problem(refused, 403)["errors"][0]["field"] == "area_code"
        by_address = {"work_order_no": "GD-X-2", "content": "噪音扰民", "address": address}
        located = await api.post(
            "/v1/hotline/work-orders", json=by_address, headers=as_("a-supervisor")
        )
        assert problem(located, 403)["errors"][0]["field"] == "address"
        cases = (await api.get("/v1/cases")).json()["items"]
        assert cases == [], "nothing was reported"
        other_county = report(unit_code="110101001001001")
        rejected = await api.post("/v1/cases", json=other_county, headers=as_("a-supervisor"))
        assert problem(rejected, 422)["type"].endswith("outside-jurisdiction"), "退单 as before"

        mine = await api.post("/v1/cases", json=report(), headers=as_("a-supervisor"))
        assert mine.status_code == 201, mine.text
        platform = await api.post(
            "/v1/hotline/work-orders", json=by_address, headers=as_("platform")
        )
        assert platform.status_code == 201, platform.text
        assert platform.json()["unit_code"].startswith(B)


async def test_a_unit_named_outside_the_regions_answers_404(tmp_path: Path) -> None:
    settings = with_region_keys(embedded_settings(tmp_path))
    named = {
        "/v1/cases": {"unit": "{grid}"},
        "/v1/stats": {"unit": "{grid}"},
        "/v1/units": {"parent": "{township}"},
        "/v1/units/{grid}": {},
        "/v1/units/{grid}/queue": {},
    }
    async with running_app(settings, SERVICES) as api:
        for path, params in named.items():
            for grid, township, status in (
                (MY_GRID, MY_TOWNSHIP, 200),
                (OTHER_GRID, OTHER_TOWNSHIP, 404),
            ):
                codes = {"grid": grid.code, "township": township.code}
                answer = await api.get(
                    path.format(**codes),
                    params={name: value.format(**codes) for name, value in params.items()},
                    headers=as_("a-handler"),
                )
                assert answer.status_code == status, f"{path} {codes}: {answer.text}"
        assert problem(answer, 404)["detail"] == f"unit {OTHER_GRID.code} was not found"
