"""case history: the parties' and places' history for repeat disputes (party keys only)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_history",
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=30)),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("folded_into", sa.String(length=64)),
    )
    op.create_index("ix_case_history_grid", "case_history", ["unit_code", "reported_at"])
    op.create_table(
        "party_cases",
        sa.Column("party_key", sa.String(length=70), primary_key=True),
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("reported_at", WHEN, nullable=False),
    )
    op.create_index("ix_party_cases_key", "party_cases", ["party_key", "reported_at"])


def downgrade() -> None:
    op.drop_index("ix_party_cases_key", table_name="party_cases")
    op.drop_table("party_cases")
    op.drop_index("ix_case_history_grid", table_name="case_history")
    op.drop_table("case_history")
