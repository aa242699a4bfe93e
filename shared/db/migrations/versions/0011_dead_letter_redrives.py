"""dead letter re-drives: the table of requests to handle a parked record again

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:20:00
"""

from collections.abc import Sequence

from alembic import op

from shared.log.sql_schema import log_metadata, redrives

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    log_metadata.create_all(op.get_bind(), tables=[redrives], checkfirst=True)


def downgrade() -> None:
    op.drop_table("event_redrives")
