"""RULES.md §3b in the running system, with the simulated clock: extension (延期), chase
notice (催办), bounce-back (退单) and arbitration, pre-breach warning (预警), pinned versions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.measures.main import SERVICE as LIFECYCLE
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from shared.org.levels import Level
from tests.integration.api_client import HANDLER_KEY, api_keys_for_tests, running_app
from tests.integration.conftest import START
from tests.integration.lifecycle_support import until
from tests.integration.test_escalation_service import RED, case_when, move_clock, system_at
from tests.integration.test_intake_api import MY_GRID, TREE, report

AS_HANDLER = {"Authorization": f"Bearer {HANDLER_KEY}"}


def with_keys(settings: CommonSettings) -> CommonSettings:
    keys = api_keys_for_tests(township_region="")
    return settings.model_copy(update={"api_keys": keys})


async def types_of(api: httpx.AsyncClient, case_id: str) -> list[str]:
    return [e["type"] for e in (await api.get(f"/v1/cases/{case_id}/events")).json()]


async def posted(api: httpx.AsyncClient, path: str, body: Any = None, **kw: Any) -> Any:
    answer = await api.post(path, json=body or {}, **kw)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def refusal(api: httpx.AsyncClient, path: str, body: Any, status: int = 409) -> str:
    answer = await api.post(path, json=body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return str(answer.json().get("detail", ""))


async def test_a_township_walks_every_rule_around_the_ladder(settings_for: CommonSettings) -> None:
    services = [INTAKE, TRIAGE, ESCALATION, LIFECYCLE]
    async with running_app(with_keys(settings_for), services) as api:
        case_id = (await api.post("/v1/cases", json=report(**RED))).json()["id"]
        case = await case_when(api, case_id, lambda c: c["level"] == "township")
        assert case["ladder_version"] and case["ruleset_version"], "versions pinned"
        base = f"/v1/cases/{case_id}"
        await posted(api, f"{base}/acknowledgement")

        # Extension: refused when not later, asked, refused again while pending, approved.
        ask = f"{base}/extension-requests"
        early = (START + timedelta(days=4)).isoformat()
        assert "not later" in await refusal(api, ask, {"reason": "等待鉴定", "deadline_at": early})
        later = (START + timedelta(days=8)).isoformat()
        asked = await posted(api, ask, {"reason": "等待鉴定结论", "deadline_at": later})
        request_id = asked[0]["payload"]["request_id"]
        assert "awaiting" in await refusal(api, ask, {"reason": "再次", "deadline_at": later})
        forbidden = await api.post(f"{ask}/{request_id}/approve", headers=AS_HANDLER)
        assert forbidden.status_code == 403, "a handler cannot approve its own extension"
        await posted(api, f"{ask}/{request_id}/approve")
        case = await case_when(api, case_id, lambda c: c["extensions_approved"] == 1)
        assert case["deadline_at"].startswith((START + timedelta(days=8)).isoformat()[:16])

        # Chase: acknowledged, no progress for half the township's 5 days.
        await move_clock(api, START + timedelta(days=2, hours=12, minutes=1))
        await case_when(api, case_id, lambda c: c["chase_notices"] == 1)

        # Bounce-back: the centre does not decide within 24 h, then confirms the unit.
        bounce = f"{base}/bounce-back"
        await posted(api, bounce, {"reason": "不属本镇管辖"}, headers=AS_HANDLER)
        case = await case_when(api, case_id, lambda c: c["bounce_back"] is not None)
        assert "already" in await refusal(api, bounce, {"reason": "再退"})
        await move_clock(api, START + timedelta(days=3, hours=12, minutes=2))
        await case_when(api, case_id, lambda c: (c["bounce_back"] or {}).get("lapsed"))
        confirmed = await posted(api, f"{bounce}/confirm", {"note": "属本镇"})
        assert confirmed[0]["payload"]["lost_seconds"] == 24 * 3600 + 60
        await case_when(api, case_id, lambda c: c["bounce_back"] is None)

        # Warning at 80% of the extended time, then the deadline moves it to the county.
        await move_clock(api, START + timedelta(days=6, hours=10))
        await case_when(api, case_id, lambda c: c["warned"])
        await move_clock(api, START + timedelta(days=8, minutes=5))
        county = await case_when(api, case_id, lambda c: c["level"] == "county")
        assert county["overdue_levels"] == ["township"]

        types = await types_of(api, case_id)
        for expected in (
            "ExtensionRequested",
            "ExtensionApproved",
            "ChaseNoticeIssued",
            "OrderBouncedBack",
            "BounceBackArbitrationLapsed",
            "BounceBackConfirmed",
            "PreBreachWarningIssued",
        ):
            assert types.count(expected) == 1, (expected, types)
        assert types.index("BounceBackArbitrationLapsed") < types.index("BounceBackConfirmed")
        assert types.count("DeadlineReached") == 1, "the superseded deadline did not fire"

        # The measures count each rule against the township's order.
        township = case["holder_unit_code"]
        seen = await until(
            api,
            [township],
            lambda s: s.stats["total"]["practice"]["warnings"] == 1,
            group_by="unit",
        )
        (mine,) = [g for g in seen.stats["groups"] if g["key"] == township]
        assert mine["practice"] == {
            "warnings": 1,
            "extensions_requested": 1,
            "extensions_approved": 1,
            "extensions_refused": 0,
            "bounce_backs": 1,
            "bounce_backs_confirmed": 1,
            "bounce_backs_reassigned": 0,
            "bounce_backs_lapsed": 1,
            "bounce_back_lost_seconds": 24 * 3600 + 60,
            "chase_notices": 1,
        }


async def test_the_centre_reassigns_a_bounced_back_case(settings_for: CommonSettings) -> None:
    mine = TREE.ancestor_at(MY_GRID.code, Level.TOWNSHIP)
    assert mine is not None
    neighbour = next(u for u in TREE.units(level=Level.TOWNSHIP) if u.code != mine.code)
    async with system_at(with_keys(settings_for)) as api:
        case_id = (await api.post("/v1/cases", json=report(**RED))).json()["id"]
        await case_when(api, case_id, lambda c: c["level"] == "township")
        base = f"/v1/cases/{case_id}/bounce-back"
        assert "no bounce-back" in await refusal(api, f"{base}/confirm", {"note": ""})
        await posted(api, base, {"reason": "地址属邻镇"})
        wrong = {"unit_code": TREE.units(level=Level.VILLAGE)[0].code}
        assert "another township unit" in await refusal(api, f"{base}/reassign", wrong)
        await move_clock(api, START + timedelta(hours=3))
        moved = await posted(api, f"{base}/reassign", {"unit_code": neighbour.code})
        assert [e["type"] for e in moved] == ["BounceBackReassigned", "CaseAssigned"]
        case = await case_when(api, case_id, lambda c: c["holder_unit_code"] == neighbour.code)
        assert case["deadline_at"].startswith((START + timedelta(days=5, hours=3)).isoformat()[:16])
        assert case["bounce_back"] is None and case["level"] == "township"
