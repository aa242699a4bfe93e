"""Apply or check the read-model migrations (alembic) of a database URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection

MIGRATIONS = Path(__file__).parent / "migrations"


class MigrationsBehind(RuntimeError):
    """The database is not at the revision this code expects."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migrations"
    return head


def upgrade_to_head(url: str) -> None:
    """Run in a worker thread: alembic drives its own event loop for the async driver.

    On PostgreSQL the migration holds an advisory lock, so instances that start together
    apply it once, one after the other.
    """
    command.upgrade(alembic_config(url), "head")


async def current_revision(conn: AsyncConnection) -> str | None:
    """The database's revision; None when it was never migrated (use a connection of its own:
    a failed query ends its transaction)."""
    try:
        row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
    except (ProgrammingError, DBAPIError) as exc:
        if "alembic_version" in str(exc):
            return None
        raise
    return str(row[0]) if row else None


def behind_head(current: str | None, head: str) -> str | None:
    """What is wrong, or None when the database is at ``head``."""
    if current == head:
        return None
    return (
        f"the database is at revision {current or '(none)'}, this code needs {head}: "
        "run python -m services.migrate"
    )
