"""lifecycle read models: unit work queues, case facts, assignment facts

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unit_queue",
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tier", sa.String(length=10)),
        sa.Column("level", sa.String(length=10)),
        sa.Column("holder_unit_code", sa.String(length=18)),
        sa.Column("order_id", sa.String(length=80)),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("ack_due_at", WHEN),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("deadline_at", WHEN),
        sa.Column("follow_up_due_at", WHEN),
        sa.Column("follow_up_overdue", sa.Boolean(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_index("ix_unit_queue_holder", "unit_queue", ["holder_unit_code", "status"])
    op.create_table(
        "case_facts",
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=30)),
        sa.Column("tier", sa.String(length=10)),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10)),
        sa.Column("holder_unit_code", sa.String(length=18)),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("resolved_at", WHEN),
        sa.Column("resolve_seconds", sa.Float()),
        sa.Column("outcome", sa.String(length=20)),
        sa.Column("judicial_confirmation", sa.Boolean(), nullable=False),
        sa.Column("closed_at", WHEN),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "resolutions",
                "reopens",
                "attempts",
                "escalations",
                "supervisions",
                "follow_ups",
                "satisfied_follow_ups",
                "follow_ups_overdue",
            )
        ),
    )
    op.create_index("ix_case_facts_reported", "case_facts", ["reported_at"])
    op.create_table(
        "assignment_facts",
        sa.Column("case_id", sa.String(length=64), primary_key=True),
        sa.Column("assignment", sa.Integer(), primary_key=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("assigned_at", WHEN, nullable=False),
        sa.Column("acknowledged_at", WHEN),
        sa.Column("ack_seconds", sa.Float()),
        sa.Column("ack_lapsed", sa.Boolean(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("assignment_facts")
    op.drop_index("ix_case_facts_reported", table_name="case_facts")
    op.drop_table("case_facts")
    op.drop_index("ix_unit_queue_holder", table_name="unit_queue")
    op.drop_table("unit_queue")
