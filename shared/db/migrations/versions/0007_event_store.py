"""event store: the log's tables (events, append keys, dead letters) beside Kafka

Until this revision every process created them at start-up, outside the migrations' lock,
and processes starting together on an empty database could collide. A database where they
were created that way keeps them as they are (only missing tables are created).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

from alembic import op

from shared.log.sql_schema import log_metadata

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    log_metadata.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    """Nothing: the event log is the system's record, and no migration drops it."""
