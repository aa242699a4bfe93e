"""``python -m services.migrate [--check]``: bring the database to the head revision.

Run it before the services start (a Kubernetes Job, or by hand), with the services set to
``FQ_MIGRATIONS=check``. Only the database settings are read (``FQ_DATABASE_URL`` or
``FQ_DATABASE_URL_FILE``). ``--check`` changes nothing and exits 1 when behind.
Concurrent runs are safe: on PostgreSQL each waits for the others' advisory lock.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic_settings import SettingsConfigDict

from shared.db.engine import make_engine
from shared.db.migrate import behind_head, current_revision, head_revision, upgrade_to_head
from shared.settings_base import ServiceSettings, SettingsRefused, load_settings


class MigrateSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FQ_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///data/app.db"

    def unsafe_outside_development(self) -> list[str]:
        if self.database_url.startswith("sqlite"):
            return ["SQLite is for development (set FQ_DATABASE_URL to PostgreSQL)"]
        return []


async def revision_of(url: str) -> str | None:
    engine = make_engine(url, durable=False)
    try:
        async with engine.connect() as conn:
            return await current_revision(conn)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.migrate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if behind")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(MigrateSettings)
    except SettingsRefused as refused:
        print(refused.code, file=sys.stderr)
        return 2
    head = head_revision()
    before = asyncio.run(revision_of(settings.database_url))
    if args.check:
        problem = behind_head(before, head)
        print(problem or f"the database is at the head revision {head}")
        return 1 if problem else 0
    if before == head:
        print(f"the database is at the head revision {head}: nothing to do")
        return 0
    upgrade_to_head(settings.database_url)
    after = asyncio.run(revision_of(settings.database_url))
    print(f"migrated the database from {before or '(empty)'} to {after}")
    return 0 if after == head else 1


if __name__ == "__main__":
    raise SystemExit(main())
