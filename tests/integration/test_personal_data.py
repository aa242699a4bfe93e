"""Personal data stays out of database errors and reaches only callers with ``pii``."""

from __future__ import annotations

import re
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.triage.history.tables import case_history, party_cases
from services.triage.main import SERVICE as TRIAGE
from shared.db.engine import make_engine, make_sqlite_reader
from shared.runtime.logging import MOBILE, RESIDENT_ID
from tests.conftest import PG_URL, integration_available
from tests.integration.api_client import HANDLER_KEY, NO_PII_KEY, embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.test_escalation_service import case_when
from tests.integration.test_intake_api import MY_GRID, api_keys_for_tests, report
from tests.integration.test_repeats import in_history
from tests.integration.test_triage_service import wait_for_tier

MARKER = "parameter-value-7f3a"


def engines(directory: Path) -> list[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{directory}/app.db"
    made = [make_engine(url), make_engine(url, durable=False), make_sqlite_reader(url)]
    if integration_available():
        assert PG_URL
        made.append(make_engine(PG_URL))
    return made


async def test_a_database_error_carries_no_parameters(tmp_path: Path) -> None:
    for engine in engines(tmp_path):
        try:
            with pytest.raises(DBAPIError) as raised:
                async with engine.connect() as conn:
                    await conn.execute(
                        text("SELECT * FROM no_such_table WHERE name = :name"), {"name": MARKER}
                    )
        finally:
            await engine.dispose()
        logged = "".join(traceback.format_exception(raised.value))  # what uvicorn would log
        assert MARKER not in logged, engine.url
        assert "no_such_table" in logged  # the statement itself is still there to debug


PHONE, LANDLINE, ID_NUMBER = "13912345678", "0575-87654321", "330681198502021234"
FREE_TEXT = f"王五说张三欠他钱，张三电话{PHONE}，家里{LANDLINE}，身份证{ID_NUMBER}。"


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    keys = api_keys_for_tests(township_region=MY_GRID.code[:9])
    async with running_app(embedded_settings(tmp_path, api_keys=keys), [INTAKE]) as client:
        yield client


def texts(value: Any) -> str:
    return str(value)


async def test_free_text_is_masked_for_callers_without_pii(api: httpx.AsyncClient) -> None:
    parties = [{"name": "张三", "phone": PHONE}, {"name": "王五", "role": "respondent"}]
    body = report(title=f"张三 {PHONE} 借款纠纷", description=FREE_TEXT, parties=parties)
    case_id = (await api.post("/v1/cases", json=body)).json()["id"]
    amended = await api.post(
        f"/v1/cases/{case_id}/facts", json={"description_addition": f"张三又打来{LANDLINE}"}
    )
    assert amended.status_code == 201, amended.text
    no_pii = {"Authorization": f"Bearer {NO_PII_KEY}"}
    answers = [
        (await api.get(f"/v1/cases/{case_id}", headers=no_pii)).json(),
        (await api.get(f"/v1/cases/{case_id}/events", headers=no_pii)).json(),
        (await api.get("/v1/cases", headers=no_pii)).json(),
    ]
    for answer in answers:
        seen = texts(answer)
        for secret in (PHONE, LANDLINE, ID_NUMBER, "张三", "王五"):
            assert secret not in seen, (secret, seen[:300])
    case = answers[0]
    assert case["description"].startswith("王*说张*欠他钱，张*电话139****5678")
    assert "身份证330***********1234" in case["description"]
    with_pii = (await api.get(f"/v1/cases/{case_id}")).json()
    assert with_pii["description"].startswith(FREE_TEXT)


async def test_a_note_answered_to_a_handler_without_pii_is_masked(tmp_path: Path) -> None:
    keys = api_keys_for_tests(township_region=MY_GRID.code[:9])
    settings = embedded_settings(tmp_path, api_keys=keys, clock="simulated", clock_start=START)
    async with running_app(settings, [INTAKE, TRIAGE, ESCALATION]) as api:
        parties = [{"name": "张三", "phone": PHONE}]
        case_id = (await api.post("/v1/cases", json=report(parties=parties))).json()["id"]
        await case_when(api, case_id, lambda c: c["level"] == "grid")
        note = f"张三同意再谈，电话{PHONE}"
        attempt = await api.post(
            f"/v1/cases/{case_id}/attempts",
            json={"result": "failed", "note": note},
            headers={"Authorization": f"Bearer {HANDLER_KEY}"},
        )
        history = (await api.get(f"/v1/cases/{case_id}/events")).json()
    assert attempt.status_code == 201, attempt.text
    assert "张三" not in attempt.text and PHONE not in attempt.text
    assert "张*同意再谈，电话139****5678" in attempt.text
    assert note in str(history)  # a key with pii reads it as typed


async def test_the_parties_history_holds_no_phone_or_id_number_in_clear(tmp_path: Path) -> None:
    """Every row of the tables the history read model writes, and the triage events that
    name earlier cases, carry party keys and case numbers, never a number as reported."""
    parties = [
        {"name": "张三", "phone": PHONE, "id_number": ID_NUMBER},
        {"name": "王五", "phone": LANDLINE, "role": "respondent"},
    ]
    async with running_app(embedded_settings(tmp_path), [INTAKE, TRIAGE]) as api:
        ids = []
        for _ in range(3):
            answer = await api.post("/v1/cases", json=report(parties=parties))
            ids.append(answer.json()["id"])
            await wait_for_tier(api, ids[-1], version=2)
            await in_history(api, ids[-1])
        engine = api.app.state.context.engine  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            rows = [
                [*row]
                for table in (case_history, party_cases)
                for row in (await conn.execute(select(table))).all()
            ]
        events = [(await api.get(f"/v1/cases/{i}/events")).json() for i in ids]
    triaged = [e["payload"] for stream in events for e in stream if e["type"] == "CaseTriaged"]
    assert len(rows) == 3 + 3 * 3  # a row per case, one per key (two phones, one ID number)
    assert any("earlier case" in line for p in triaged for line in p["explanation"])
    stored = str(rows) + str(triaged)
    for number in (
        PHONE,
        ID_NUMBER,
        LANDLINE,
        LANDLINE.replace("-", ""),
        ID_NUMBER[:6] + ID_NUMBER[8:17],
    ):
        assert number not in stored, number
    assert not re.search(rf"(?<!\d)(?:{MOBILE}|{RESIDENT_ID})(?!\d)", stored)
