"""duplicate reports: the candidate index of open cases, and folded reports in the measures

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_index",
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("neighbourhood", sa.String(length=18), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=30)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("party_keys", sa.JSON(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_case_id", sa.String(length=64)),
        sa.Column("decided_case_number", sa.String(length=40)),
        sa.Column("score", sa.Float()),
    )
    op.create_index(
        "ix_duplicate_index_open",
        "duplicate_index",
        ["neighbourhood", "reported_at"],
        postgresql_where=sa.text("open"),
        sqlite_where=sa.text("open"),
    )
    with op.batch_alter_table("case_facts") as table:
        table.add_column(sa.Column("folded_into", sa.String(length=64)))


def downgrade() -> None:
    with op.batch_alter_table("case_facts") as table:
        table.drop_column("folded_into")
    op.drop_index("ix_duplicate_index_open", table_name="duplicate_index")
    op.drop_table("duplicate_index")
