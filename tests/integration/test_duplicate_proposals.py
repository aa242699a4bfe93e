"""The pending duplicate proposals across cases (待合并), for supervisors to decide.

Three reports of one barking dog with nothing folded by the rule: the two triaged after the
first are proposed, listed newest first to a supervisor of the region (titles masked without
``pii``), not to another township's supervisor nor to a reader; a dismissed or folded
proposal leaves the list. The township is asked to decide each proposal once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from services.all_in_one import SERVICES
from services.sandbox.receiver import Receiver
from shared.config import ApiKeySetting, CommonSettings
from tests.integration.api_client import running_app
from tests.integration.notify_support import notices_to, point_notify_at, with_org
from tests.integration.test_duplicates import ACCOUNTS, streams, until
from tests.integration.test_intake_api import MY_GRID, MY_TOWNSHIP, OTHER_TOWNSHIP, report

pytestmark = pytest.mark.folding

ROUTE = "/v1/duplicates/proposals"
MASKED_SUPERVISOR, FAR_SUPERVISOR, READER = "masked-supervisor", "far-supervisor", "reader-only"


def keys() -> list[ApiKeySetting]:
    def key(secret: str, regions: list[str], roles: list[str]) -> ApiKeySetting:
        return ApiKeySetting(key=SecretStr(secret), client=secret, regions=regions, roles=roles)

    return [
        key("dev", [""], ["reader", "reporter", "supervisor", "pii"]),
        key(MASKED_SUPERVISOR, [MY_TOWNSHIP.code[:9]], ["reader", "supervisor"]),
        key(FAR_SUPERVISOR, [OTHER_TOWNSHIP.code[:9]], ["reader", "supervisor"]),
        key(READER, [""], ["reader"]),
    ]


def as_key(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def listed(api: httpx.AsyncClient, key: str = "dev", **query: Any) -> httpx.Response:
    return await api.get(ROUTE, params=query, headers=as_key(key))


async def command(api: httpx.AsyncClient, path: str, body: dict[str, str]) -> httpx.Response:
    """A supervisor's command, sent again after a version conflict as the API asks: the
    ladder and notify append to the same case (an order, delivery attempts) meanwhile."""
    for _ in range(20):
        answer = await api.post(path, json=body)
        if not answer.json().get("type", "").endswith("version-conflict"):
            return answer
    return answer


async def two_proposed(api: httpx.AsyncClient) -> list[str]:
    ids = []
    for account in ACCOUNTS[:3]:
        body = report(title="张三家的狗夜里叫", description=f"{account}已经一个月了")
        answer = await api.post("/v1/cases", json=body)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])

    async def proposed() -> bool:
        """Two proposed, and all three assigned: a command's append would otherwise race
        the ladder's on the same stream (409 version-conflict, for the caller to retry)."""
        seen = await streams(api, ids)
        assigned = all("CaseAssigned" in types for types in seen.values())
        return assigned and (await listed(api)).json()["total"] == 2

    await until(api, proposed)
    return ids


async def test_a_supervisor_sees_the_pending_proposals_of_the_region_and_decides_them(
    settings_for: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FQ_DUPLICATES_FOLD_THRESHOLD", "1.0")  # nothing folds by the rule
    monkeypatch.setenv("FQ_DUPLICATES_PROPOSE_THRESHOLD", "0.3")
    settings = settings_for.model_copy(update={"api_keys": keys()})
    async with running_app(settings, SERVICES) as api:
        ids = await two_proposed(api)
        page = (await listed(api)).json()
        first = (await listed(api, limit=1)).json()
        second = (await listed(api, limit=1, offset=1)).json()
        masked = (await listed(api, MASKED_SUPERVISOR, unit_code=MY_GRID.code)).json()
        far = (await listed(api, FAR_SUPERVISOR)).json()
        far_unit = await listed(api, FAR_SUPERVISOR, unit_code=MY_GRID.code)
        reader = await listed(api, READER)
        newest, older = page["items"]
        dismissed = await command(
            api,
            f"/v1/cases/{newest['report']['case_id']}/duplicates/dismiss",
            {"candidate_case_id": newest["candidate"]["case_id"], "reason": "另一户人家"},
        )
        assert dismissed.status_code == 201, dismissed.text

        async def one_left() -> bool:
            return bool((await listed(api)).json()["items"] == [older])

        await until(api, one_left)
        folded = await command(
            api,
            f"/v1/cases/{older['report']['case_id']}/fold",
            {"into_case_id": older["candidate"]["case_id"], "reason": "同一只狗"},
        )
        assert folded.status_code == 201, folded.text

        async def none_left() -> bool:
            empty = {"items": [], "total": 0, "limit": 50, "offset": 0}
            return bool((await listed(api)).json() == empty)

        await until(api, none_left)

    reports = {item["report"]["case_id"] for item in page["items"]}
    assert page["total"] == 2 and len(reports) == 2 and reports < set(ids)
    assert all(item["candidate"]["case_id"] in ids for item in page["items"])
    assert newest["proposed_at"] >= older["proposed_at"], "newest first"
    assert all(0.3 <= item["score"] < 1.0 and item["candidate_open"] for item in page["items"])
    assert newest["report"]["title"] == "张三家的狗夜里叫", "pii: titles in clear"
    assert [first["items"], second["items"]] == [[newest], [older]]
    assert first["total"] == second["total"] == 2
    assert masked["total"] == 2
    assert all("张三" not in item["report"]["title"] for item in masked["items"])
    assert all("张三" not in item["candidate"]["title"] for item in masked["items"])
    assert far == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert far_unit.status_code == 404 and reader.status_code == 403


async def test_limits_are_bounded(settings_for: CommonSettings) -> None:
    async with running_app(settings_for, SERVICES) as api:
        too_many = await api.get(ROUTE, params={"limit": 201})
        negative = await api.get(ROUTE, params={"offset": -1})
    assert too_many.status_code == 422 and negative.status_code == 422


def asked(receiver: Receiver, unit_code: str) -> list[dict[str, Any]]:
    return notices_to(receiver, unit_code, "duplicate_proposal")


async def test_the_township_is_asked_to_decide_each_proposal_once(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FQ_DUPLICATES_FOLD_THRESHOLD", "1.0")
    monkeypatch.setenv("FQ_DUPLICATES_PROPOSE_THRESHOLD", "0.3")
    point_notify_at(monkeypatch, receiver)
    settings = with_org(settings_for, receiver, tmp_path).model_copy(update={"api_keys": keys()})
    async with running_app(settings, SERVICES) as api:
        await two_proposed(api)
        items = (await listed(api)).json()["items"]
        await receiver.wait_for(lambda r: len(asked(r, MY_TOWNSHIP.code)) == 2, within=60)
    notices = asked(receiver, MY_TOWNSHIP.code)
    for item in items:
        (notice,) = [n for n in notices if n["case_number"] == item["report"]["number"]]
        assert item["candidate"]["number"] in notice["summary"] and "待合并" in notice["summary"]
        assert notice["parties"] == [] and notice["order_id"] is None
    assert not asked(receiver, MY_GRID.code), "the grid holds the case; the township decides"
