"""escalation timers record the log partition of their case

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("escalation_timers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("partition", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(
            "ix_escalation_timers_partition_pending",
            ["partition", "fired_at", "due_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("escalation_timers", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_timers_partition_pending")
        batch_op.drop_column("partition")
