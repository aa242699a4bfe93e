"""hotspots (研判): the reports counted, one row per case

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotspot_cases",
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=30)),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("folded_into", sa.String(length=64)),
    )
    op.create_index(
        "ix_hotspot_cases_place", "hotspot_cases", ["category", "unit_code", "reported_at"]
    )
    op.create_index("ix_hotspot_cases_reported", "hotspot_cases", ["reported_at"])


def downgrade() -> None:
    op.drop_index("ix_hotspot_cases_reported", table_name="hotspot_cases")
    op.drop_index("ix_hotspot_cases_place", table_name="hotspot_cases")
    op.drop_table("hotspot_cases")
