"""The simulated clock stays in a range the ladder can compute deadlines in: moving it past
that, or by a naive time, is refused with a problem (never a 500), and escalation goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.triage.main import SERVICE as TRIAGE
from shared.runtime.clock import LATEST_SIMULATED
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.test_escalation_service import case_when
from tests.integration.test_intake_api import report
from tests.integration.test_startup_refusals import start

TEN_YEARS = 10 * 365 * 86_400


async def test_the_clock_refuses_to_leave_its_range_and_escalation_goes_on(
    tmp_path: Path,
) -> None:
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    async with running_app(settings, [INTAKE, TRIAGE, ESCALATION]) as api:
        far = await api.post("/v1/admin/clock", json={"now": "9999-12-31T00:00:00+00:00"})
        naive = await api.post("/v1/admin/clock", json={"now": "2027-01-01T00:00:00"})
        advances = []
        for _ in range(20):  # ten years at a time, until the end of the range refuses
            advances.append(await api.post("/v1/admin/clock/advance", json={"seconds": TEN_YEARS}))
            if advances[-1].status_code != 200:
                break
        now = datetime.fromisoformat(advances[-2].json()["now"])
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        assigned = await case_when(api, case_id, lambda c: c["level"] == "grid")

    assert far.status_code == 422
    assert far.headers["content-type"].startswith("application/problem+json")
    assert naive.status_code == 422
    assert [a.status_code for a in advances[:-1]] == [200] * (len(advances) - 1)
    assert advances[-1].status_code == 409
    assert advances[-1].headers["content-type"].startswith("application/problem+json")
    assert now <= LATEST_SIMULATED < now + timedelta(seconds=TEN_YEARS)
    assert datetime.fromisoformat(assigned["deadline_at"]) > now.astimezone(UTC)


def test_a_simulated_clock_starting_outside_its_range_refuses_to_start() -> None:
    refused = start("escalation", FQ_CLOCK="simulated", FQ_CLOCK_START="9999-12-31T00:00:00+00:00")

    assert refused.returncode == 2
    assert "FQ_CLOCK_START: Input should be less than or equal to 2100" in refused.stderr
