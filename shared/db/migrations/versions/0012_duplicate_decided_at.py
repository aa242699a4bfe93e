"""duplicate proposals: when each fold decision was taken, for the supervisors' list

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("duplicate_index") as table:
        table.add_column(sa.Column("decided_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_duplicate_index_proposed",
        "duplicate_index",
        ["decided_at"],
        postgresql_where=sa.text("decision = 'propose' AND open"),
        sqlite_where=sa.text("decision = 'propose' AND open"),
    )


def downgrade() -> None:
    op.drop_index("ix_duplicate_index_proposed", table_name="duplicate_index")
    with op.batch_alter_table("duplicate_index") as table:
        table.drop_column("decided_at")
