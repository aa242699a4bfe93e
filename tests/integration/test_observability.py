"""What an operator sees of one report: counters, lag and positions at /metrics, and JSON
log lines that say which case and correlation they belong to (and no personal data)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from services.intake.main import SERVICE as INTAKE
from services.intake.runtime import IntakeRuntime
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from shared.consumers.progress import Progress
from shared.db.schema import cases
from shared.runtime.context import AppContext
from tests.conftest import PII_IN_LOGS, fresh_pg_database, integration_available
from tests.integration.api_client import embedded_settings, kafka_settings, running_app
from tests.integration.test_intake_api import report

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@contextlib.asynccontextmanager
async def _system(kind: str, tmp_path: Path) -> AsyncIterator[CommonSettings]:
    logs = {"json_logs": True, "log_level": "DEBUG"}
    if kind == "kafka":
        if not integration_available():
            pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
        async with fresh_pg_database() as url:
            yield kafka_settings(url, **logs)
    else:
        yield embedded_settings(tmp_path, **logs)


@pytest.mark.parametrize("kind", ["embedded", "kafka"])
async def test_a_report_shows_in_metrics_and_in_the_logs(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with _system(kind, tmp_path) as settings, running_app(settings, [INTAKE, TRIAGE]) as api:
        context: AppContext = api.app.state.context  # type: ignore[attr-defined]
        progress: Progress = context.runtimes.require(IntakeRuntime).cases
        before = _samples((await api.get("/metrics")).text)
        created = (await api.post("/v1/cases", json=report())).json()
        case_id = created["id"]

        async def triaged_in_the_list() -> bool:  # both events applied, position stored
            async with context.engine.connect() as conn:
                query = select(cases.c.version).where(cases.c.id == case_id)
                return (await conn.execute(query)).scalar() == 2

        await progress.wait_until(triaged_in_the_list, within=30)
        after = _samples((await api.get("/metrics")).text)
        history = (await api.get(f"/v1/cases/{case_id}/events")).json()

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("fq_events_appended_total", type="CaseReported") == 1
    assert grew("fq_events_appended_total", type="CaseTriaged") == 1
    assert grew("fq_events_consumed_total", group="triage", type="CaseReported") == 1
    assert grew("fq_events_consumed_total", group="projection.cases", type="CaseReported") == 1
    for group in ("triage", "projection.cases"):
        assert ("fq_consumer_lag", (("group", group),)) in after
    assert _value(after, "fq_consumer_lag", group="projection.cases") == 0
    if kind == "embedded":  # one partition; offsets are store positions from 1
        assert _value(after, "fq_log_end_offset", partition="0") == 3
        assert _value(after, "fq_consumer_position", group="projection.cases", partition="0") == 3
    assert grew("fq_http_requests_total", method="POST", route="/v1/cases", status="201") == 1

    reported = history[0]
    err = capsys.readouterr().err
    assert not PII_IN_LOGS.findall(err)  # debug logging included
    lines = [orjson.loads(line) for line in err.splitlines() if line[:1] == "{"]
    handled = [
        line
        for line in lines
        if line.get("event") == "event_handled" and line.get("group") == "triage"
    ]
    assert handled, "the triage reactor logged nothing about the report"
    assert handled[0]["case_id"] == case_id
    assert handled[0]["correlation_id"] == reported["correlation_id"]
    assert handled[0]["event_type"] == "CaseReported"
