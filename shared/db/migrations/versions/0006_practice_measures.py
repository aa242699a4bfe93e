"""practice measures: warnings, extensions, bounce-backs and chase notices per order

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = (
    "warnings",
    "extensions_requested",
    "extensions_approved",
    "extensions_refused",
    "bounce_backs",
    "bounce_backs_confirmed",
    "bounce_backs_reassigned",
    "bounce_backs_lapsed",
    "chase_notices",
)


def upgrade() -> None:
    with op.batch_alter_table("assignment_facts") as table:
        for name in COUNTERS:
            table.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        table.add_column(
            sa.Column("bounce_lost_seconds", sa.Float(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment_facts") as table:
        for name in (*COUNTERS, "bounce_lost_seconds"):
            table.drop_column(name)
