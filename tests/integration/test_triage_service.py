"""Triage in the running system: every report gets a tier, with its explanation."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.cases.queries import CaseQueries
from services.intake.main import SERVICE as INTAKE
from services.intake.runtime import IntakeRuntime
from services.triage.main import SERVICE as TRIAGE
from shared.consumers.progress import Progress
from tests.conftest import fresh_pg_database, integration_available
from tests.integration.api_client import embedded_settings, kafka_settings, running_app
from tests.integration.test_intake_api import MY_GRID, report


@contextlib.asynccontextmanager
async def intake_and_triage(
    kind: str, tmp_path: Path, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    """The intake and triage services on the embedded log or on Kafka with PostgreSQL."""
    if kind == "kafka":
        if not integration_available():
            pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
        async with (
            fresh_pg_database() as url,
            running_app(kafka_settings(url, **overrides), [INTAKE, TRIAGE]) as client,
        ):
            yield client
    else:
        settings = embedded_settings(tmp_path, **overrides)
        async with running_app(settings, [INTAKE, TRIAGE]) as client:
            yield client


@pytest.fixture(params=["embedded", "kafka"])
async def system(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with intake_and_triage(request.param, tmp_path) as client:
        yield client


async def wait_for_tier(api: httpx.AsyncClient, case_id: str, *, version: int) -> dict[str, Any]:
    context = api.app.state.context  # type: ignore[attr-defined]
    queries = CaseQueries(context.engine)
    progress: Progress = context.runtimes.require(IntakeRuntime).cases

    async def projected() -> bool:
        row = await queries.get(case_id)
        return row is not None and row["version"] >= version

    await progress.wait_until(projected, within=60)
    case: dict[str, Any] = (await api.get(f"/v1/cases/{case_id}")).json()
    return case


async def test_a_report_is_triaged_with_rules_words_and_version(
    system: httpx.AsyncClient,
) -> None:
    body = report(
        title="农民工讨薪",
        description="包工头拖欠32名农民工工资共计28万元，扬言要去北京上访。",
        parties_count=None,
        unit_code=MY_GRID.code,
    )
    case = (await system.post("/v1/cases", json=body)).json()

    seen = await wait_for_tier(system, case["id"], version=2)

    assert seen["tier"] == "red" and seen["category"] == "labour" and seen["status"] == "triaged"
    history = (await system.get(f"/v1/cases/{case['id']}/events")).json()
    assert [e["type"] for e in history] == ["CaseReported", "CaseTriaged"]
    triaged = history[1]
    assert triaged["causation_id"] == history[0]["event_id"]
    assert triaged["correlation_id"] == history[0]["correlation_id"]
    assert triaged["payload"]["ruleset_version"] == "v4"
    assert {r["id"] for r in triaged["payload"]["rules"]} == {
        "mass",
        "money_high",
        "petition",
        "risky_category",
    }
    assert any("32名" in line for line in triaged["payload"]["explanation"])


async def test_a_supervisor_overrides_the_tier_with_a_reason(system: httpx.AsyncClient) -> None:
    case = (await system.post("/v1/cases", json=report())).json()
    await wait_for_tier(system, case["id"], version=2)

    missing_reason = await system.post(
        f"/v1/cases/{case['id']}/tier-override", json={"tier": "red"}
    )
    overridden = await system.post(
        f"/v1/cases/{case['id']}/tier-override",
        json={"tier": "red", "reason": "当事人情绪激动，有极端倾向"},
    )
    again = await system.post(
        f"/v1/cases/{case['id']}/tier-override", json={"tier": "red", "reason": "再次确认"}
    )

    assert missing_reason.status_code == 422
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["previous_tier"] == "blue"
    assert again.status_code == 409
    seen = await wait_for_tier(system, case["id"], version=3)
    assert seen["tier"] == "red"
    last = (await system.get(f"/v1/cases/{case['id']}/events")).json()[-1]
    assert last["type"] == "TierOverridden" and last["payload"]["overridden_by"] == "development"


async def test_redelivered_reports_are_triaged_once(system: httpx.AsyncClient) -> None:
    from services.triage.handlers import TriageReactor
    from services.triage.ruleset import load_ruleset

    case = (await system.post("/v1/cases", json=report())).json()
    await wait_for_tier(system, case["id"], version=2)
    context = system.app.state.context  # type: ignore[attr-defined]
    ruleset, matcher = load_ruleset("v1")
    reactor = TriageReactor(log=context.log, ruleset=ruleset, matcher=matcher)
    reported = (await context.log.read_stream(case["id"]))[0]

    await reactor.react(reported)  # the same record delivered again
    await reactor.react(reported)

    history = (await system.get(f"/v1/cases/{case['id']}/events")).json()
    assert [e["type"] for e in history] == ["CaseReported", "CaseTriaged"]


async def test_new_facts_re_run_triage_and_a_rising_tier_is_recorded(
    system: httpx.AsyncClient,
) -> None:
    case = (await system.post("/v1/cases", json=report())).json()
    first = await wait_for_tier(system, case["id"], version=2)

    amended = await system.post(
        f"/v1/cases/{case['id']}/facts", json={"description_addition": "对方扬言要放火烧房子"}
    )
    empty = await system.post(f"/v1/cases/{case['id']}/facts", json={})

    assert amended.status_code == 201, amended.text
    assert empty.status_code == 422
    seen = await wait_for_tier(system, case["id"], version=4)
    assert (first["tier"], seen["tier"]) == ("blue", "red")
    history = (await system.get(f"/v1/cases/{case['id']}/events")).json()
    assert [e["type"] for e in history] == [
        "CaseReported",
        "CaseTriaged",
        "CaseFactsAmended",
        "CaseTriaged",
    ]
    assert history[-1]["payload"]["previous_tier"] == "blue"
    assert history[-1]["causation_id"] == history[2]["event_id"]
