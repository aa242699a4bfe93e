"""Every route of the application × no key, a key per role, and another region's key.

The routes come from the app itself; the rules from ``authz_rules.RULES``: a route without
a rule fails here. Everything runs against one real case reported in region A (township A):
without a key every non-public route answers 401, a key without the route's role 403, a key
of region B (every role but ``report-anywhere``) 404 on A's case and units, 403 on a report
into A, and lists without A's case; the key with the role is let in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from services.all_in_one import SERVICES
from services.console.routes import RELEASE
from shared.config import REPORT_ANYWHERE, ROLES, ApiKeySetting
from shared.org.levels import Level
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.authz_rules import RULES, Case, Rule
from tests.integration.conftest import START
from tests.integration.parking import park_report
from tests.integration.test_escalation_service import case_when
from tests.integration.test_intake_api import MY_GRID, MY_TOWNSHIP, OTHER_GRID, OTHER_TOWNSHIP, TREE

REGION_A, REGION_B = MY_TOWNSHIP.code[:9], OTHER_TOWNSHIP.code[:9]
REGION_B_KEY = "region-b"
PARTY = {"name": "王五", "phone": "13800000001"}
VERSION_CONFLICT = "urn:fengqiao:problem:version-conflict"
OTHER_GRID_A = next(
    g.code for g in TREE.units(level=Level.GRID) if g.code.startswith(REGION_A) and g != MY_GRID
)


def keys() -> list[ApiKeySetting]:
    def key(name: str, regions: list[str], roles: list[str]) -> ApiKeySetting:
        return ApiKeySetting(key=SecretStr(name), client=name, regions=regions, roles=roles)

    every_but_anywhere = [r for r in ROLES if r != REPORT_ANYWHERE]
    return [
        key("dev", [""], list(ROLES)),
        key(REGION_B_KEY, [REGION_B], every_but_anywhere),
        *(key(f"role-{role}", [REGION_A], [role]) for role in ROLES),
    ]


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers unfolded."""

    def walk(routes: list[Any]) -> Iterator[tuple[str, str]]:
        for route in routes:
            inner = getattr(getattr(route, "original_router", None), "routes", None)
            if inner is not None:
                yield from walk(inner)
                continue
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    yield method, route.path

    return set(walk(list(app.routes)))


async def fill(api: httpx.AsyncClient, path: str, case: Case) -> str:
    """The path with region A's case, unit, current order, pending request, delivery, dead
    letter, and one of the console's assets."""
    page = (await api.get(f"/v1/cases/{case.case_id}")).json()
    deliveries = (await api.get("/v1/admin/deliveries", params={"case_id": case.case_id})).json()
    letters = (await api.get("/v1/admin/dead-letters", params={"case_id": case.case_id})).json()
    return path.format(
        case_id=case.case_id,
        code=case.grid_a,
        order_id=page["order_id"] or "none",
        request_id=(page["extension_pending"] or {}).get("request_id", "none"),
        delivery_id=deliveries[0]["delivery_id"] if deliveries else "none",
        letter_id=letters[0]["id"] if letters else "none",
        name="console.js",
        ref=case.party_ref,
        release=RELEASE,
    )


async def call(
    api: httpx.AsyncClient, method: str, path: str, rule: Rule, case: Case, key: str | None
) -> httpx.Response:
    """One call; a version conflict (a reactor wrote to the case meanwhile) is retried, as
    its problem asks."""
    headers = {"Authorization": f"Bearer {key}"} if key else {"Authorization": ""}
    body = rule.body(case) if rule.body else ({} if method == "POST" else None)
    for _ in range(5):
        answer = await api.request(
            method, path, json=body, params=rule.query(case), headers=headers
        )
        if answer.status_code != 409 or answer.json()["type"] != VERSION_CONFLICT:
            break
    return answer


def refused(answer: httpx.Response, status: int, slug: str, where: str) -> None:
    assert answer.status_code == status, f"{where}: {answer.status_code} {answer.text}"
    assert answer.headers["content-type"].startswith("application/problem+json"), where
    assert answer.json()["type"].endswith(slug), f"{where}: {answer.text}"


def admitted(answer: httpx.Response, rule: Rule, case: Case, where: str) -> None:
    assert answer.status_code in rule.ok, f"{where}: {answer.status_code} {answer.text}"
    if rule.shows is not None:
        assert rule.shows(case) in answer.text, f"{where}: {answer.text}"


def from_region_b(answer: httpx.Response, rule: Rule, case: Case, where: str) -> None:
    if rule.scope in ("case", "unit"):
        refused(answer, 404, "not-found", where)
    elif rule.scope == "report":
        refused(answer, 403, "outside-regions", where)
    elif rule.scope == "list":
        assert answer.status_code == 200, f"{where}: {answer.text}"
        assert case.case_id not in answer.text and case.grid_a not in answer.text, where
    else:
        assert answer.status_code in rule.ok, f"{where}: {answer.text}"


async def check_route(
    api: httpx.AsyncClient, method: str, template: str, rule: Rule, case: Case
) -> None:
    path = await fill(api, template, case)
    where = f"{method} {template}"
    if rule.role is None:
        assert (await call(api, method, path, rule, case, None)).status_code in rule.ok, where
        return
    refused(await call(api, method, path, rule, case, None), 401, "unauthorized", f"{where} no key")
    answer = await call(api, method, path, rule, case, REGION_B_KEY)
    from_region_b(answer, rule, case, f"{where} region B")
    for role in ROLES:
        answer = await call(api, method, path, rule, case, f"role-{role}")
        if role in (rule.role, "admin"):
            admitted(answer, rule, case, f"{where} as {role}")
        else:
            refused(answer, 403, "forbidden", f"{where} as {role}")


async def delivered_once(api: httpx.AsyncClient, case_id: str) -> None:
    """Poll (30 s at most) until notify has recorded a delivery for the case."""
    deadline = time.monotonic() + 30
    while not (await api.get("/v1/admin/deliveries", params={"case_id": case_id})).json():
        assert time.monotonic() < deadline, "no delivery was ever recorded"
        await anyio.sleep(0.05)


async def in_party_history(api: httpx.AsyncClient, case_id: str) -> str:
    """Poll (30 s at most) until the party's case list holds the case; its reference."""
    (ref,) = (await api.post("/v1/parties/refs", json={"phone": PARTY["phone"]})).json()["refs"]
    deadline = time.monotonic() + 30
    while case_id not in (await api.get(f"/v1/parties/{ref}/cases")).text:
        assert time.monotonic() < deadline, "the party's history never held the case"
        await anyio.sleep(0.05)
    return str(ref)


async def test_every_route_answers_each_key_as_its_rule_says(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START, api_keys=keys())
    async with running_app(settings, SERVICES) as api:
        served = app_routes(api.app)  # type: ignore[attr-defined]
        assert sorted(served - RULES.keys()) == [], "routes without a rule in authz_rules"
        assert sorted(RULES.keys() - served) == [], "rules of routes the app does not serve"
        report = {
            "title": "邻里噪音",
            "description": "楼上夜间装修。",
            "unit_code": MY_GRID.code,
            "parties": [PARTY],
        }
        case_id = (await api.post("/v1/cases", json=report)).json()["id"]
        await case_when(api, case_id, lambda c: c["level"] == Level.GRID.value)
        await delivered_once(api, case_id)
        ref = await in_party_history(api, case_id)
        log = api.app.state.context.log  # type: ignore[attr-defined]
        await park_report(log, case_id, group="projection.cases", reason="KeyError: 'title'")
        case = Case(case_id, MY_GRID.code, OTHER_GRID_A, OTHER_GRID.code, ref)
        for (method, template), rule in RULES.items():
            await check_route(api, method, template, rule, case)
