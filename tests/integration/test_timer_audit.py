"""The timer audit (``GET /v1/audit/timers``) across a stop of the escalation service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from services.escalation.audit import api as audit_api
from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.intake.runtime import IntakeRuntime
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from shared.consumers.progress import Progress
from shared.runtime.service import ServiceModule
from tests.integration.api_client import NO_PII_KEY, api_keys_for_tests, running_app
from tests.integration.conftest import START
from tests.integration.test_escalation_service import RED, case_when, system_at
from tests.integration.test_intake_api import report

AUDIT_ONLY = ServiceModule(name="audit", routers=[audit_api.router])
"""The audit as an auditor sees it while the escalation service (its scheduler) is down."""
WINDOW = {"from": START.isoformat(), "to": (START + timedelta(days=13)).isoformat()}


def keyed(settings: CommonSettings, **update: Any) -> CommonSettings:
    keys = api_keys_for_tests(township_region="")
    return settings.model_copy(update={"api_keys": keys, **update})


async def audit(api: httpx.AsyncClient) -> dict[str, Any]:
    answer = await api.get("/v1/audit/timers", params=WINDOW)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def audit_when(api: httpx.AsyncClient, check: Any) -> dict[str, Any]:
    """The audit once ``check`` holds, re-read after every commit of the case list."""
    context = api.app.state.context  # type: ignore[attr-defined]
    progress: Progress = context.runtimes.require(IntakeRuntime).cases
    seen: dict[str, Any] = {}

    async def holds() -> bool:
        seen.update(await audit(api))
        return bool(check(seen))

    await progress.wait_until(holds, within=30)
    return seen


async def test_a_stop_shows_missed_timers_first_and_a_restart_makes_the_audit_clean(
    settings_for: CommonSettings,
) -> None:
    async with system_at(keyed(settings_for)) as api:
        ids = [(await api.post("/v1/cases", json=report(**RED))).json()["id"] for _ in range(3)]
        for case_id in ids:
            await case_when(api, case_id, lambda c: c["level"] == "township")
        # The case page shows the township once its assignment is in the log; the timers of
        # that pass are scheduled right after it: stop only once all nine are.
        before = await audit_when(api, lambda a: a["summary"]["pending"] == 3 * 3)
        assert before["summary"]["missed"] == 0 and before["summary"]["fired"] == 0
        refused = await api.get(
            "/v1/audit/timers", params=WINDOW, headers={"Authorization": f"Bearer {NO_PII_KEY}"}
        )
        assert refused.status_code == 403, "the audit needs the auditor role"

    # Escalation stopped for twelve days: acknowledgement, warning and deadline timers of the
    # township pass (the county's deadline is due on day 12 as well).
    down = keyed(settings_for, clock_start=START + timedelta(days=12, minutes=5))
    async with running_app(down, [INTAKE, TRIAGE, AUDIT_ONLY]) as api:
        stopped = await audit(api)
    missed = stopped["summary"]["missed"]
    assert missed == 3 * 3, stopped["summary"]  # ack, warning, deadline of each case
    outcomes = [t["outcome"] for t in stopped["timers"]]
    assert outcomes[:missed] == ["missed"] * missed, "missed timers are listed first"

    async with running_app(down, [INTAKE, TRIAGE, ESCALATION]) as api:
        for case_id in ids:
            await case_when(api, case_id, lambda c: c["supervision_count"] == 1)
        after = await audit(api)
    summary = after["summary"]
    assert summary["missed"] == 0, [t for t in after["timers"] if t["outcome"] == "missed"]
    fired = [t for t in after["timers"] if t["outcome"] == "fired"]
    assert len({t["timer_id"] for t in fired}) == len(fired) == summary["fired"] >= 3 * 3
    assert all(t["late_seconds"] > 0 for t in fired), "each shows how late it fired"
