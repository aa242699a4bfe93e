"""``python -m services.migrate``: what a Kubernetes Job runs before a rollout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared.db.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]


def migrate(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    env.pop("FQ_ENVIRONMENT", None)
    return subprocess.run(
        [sys.executable, "-m", "services.migrate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_migrate_applies_once_and_check_reports_the_revision(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    behind = migrate(database, "--check")
    assert behind.returncode == 1 and "services.migrate" in behind.stdout

    applied = migrate(database)
    assert applied.returncode == 0
    assert f"from (empty) to {head_revision()}" in applied.stdout

    again = migrate(database)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert migrate(database, "--check").returncode == 0


def test_migrate_refuses_sqlite_in_production(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FQ_ENVIRONMENT": "production",
        "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/app.db",
    }
    refused = subprocess.run(
        [sys.executable, "-m", "services.migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "FQ_DATABASE_URL" in refused.stderr or "SQLite" in refused.stderr
