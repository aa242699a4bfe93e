"""A service process with bad settings stops before it starts, naming what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(process: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORT": "0", **variables}
    return subprocess.run(
        [sys.executable, "-m", "services.processes", process],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_with_development_defaults_exits_2_with_the_reasons() -> None:
    refused = start("notify", FQ_ENVIRONMENT="production", FQ_NOTIFY_SIGNING_SECRET="s-81f")
    assert refused.returncode == 2
    assert "configuration refused (CommonSettings)" in refused.stderr
    assert "the development key 'dev' is configured" in refused.stderr
    assert "s-81f" not in refused.stderr


def test_an_out_of_range_value_is_named() -> None:
    refused = start("intake", FQ_KAFKA_PARTITIONS="0")
    assert refused.returncode == 2
    assert "FQ_KAFKA_PARTITIONS: Input should be greater than or equal to 1" in refused.stderr
