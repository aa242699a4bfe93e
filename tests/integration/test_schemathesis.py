"""schemathesis against the running system's own /openapi.json, authenticated, time-boxed.

The system runs as in ``make run`` (uvicorn, all services, the embedded log) on a free port.
Generation is deterministic (the same cases every run): positive and negative data for
every operation, then stateful sequences that follow the document's links. It must find no
5xx, no undocumented status, no answer that does not match its documented schema (times
with their offset included), and no error that is not problem+json of the documented type.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.runtime.logging import scrub
from tests.integration.processes import ROOT, free_port, service_process

pytestmark = pytest.mark.alone

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "ignored_auth",
        "problem_json_on_errors",
    ]
)
EXAMPLES_PER_OPERATION = 15  # about a minute on two cores
TIME_BOX_SECONDS = 90  # a guard only: the run normally ends before


def environment(directory: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(port),
        "FQ_LOG_BACKEND": "embedded",
        "FQ_LOG_URL": f"sqlite+aiosqlite:///{directory}/log.db",
        "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/app.db",
        "FQ_JSON_LOGS": "true",
    }


def schemathesis_command(url: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/openapi.json",
        "--header",
        "Authorization: Bearer dev",
        "--checks",
        CHECKS,
        "--generation-deterministic",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--workers",
        "1",
        "--max-time",
        str(TIME_BOX_SECONDS),
        "--no-color",
        "--output-truncate",
        "true",
    ]


@pytest.mark.timeout(TIME_BOX_SECONDS + 120)
async def test_schemathesis_finds_no_server_error_and_only_problem_json(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_file = tmp_path / "server.log"
    async with service_process("all_in_one", environment(tmp_path, port), log_file=log_file):
        run = subprocess.run(  # noqa: ASYNC221 - the server is another process
            schemathesis_command(url),
            cwd=tmp_path,
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": "tests.integration.schemathesis_checks",
                "PYTHONPATH": str(ROOT),
            },
            capture_output=True,
            text=True,
            timeout=TIME_BOX_SECONDS + 60,
        )
    # Generated data may look like a phone number: the report is scrubbed before it is shown.
    report = scrub(run.stdout[-6000:] + run.stderr[-2000:])
    print(report[-600:])
    assert run.returncode == 0, report
    assert " passed" in report and "failures" not in report.split("SUMMARY")[-1], report
