"""Read-model tables (schema managed by alembic, see shared/db/migrations)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from shared.vocabulary import ASSIGNMENT_COUNTERS

metadata = MetaData()

consumer_positions = Table(
    "consumer_positions",
    metadata,
    Column("consumer_group", String(100), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("number", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("tier", String(10)),
    Column("category", String(30)),
    Column("level", String(10)),
    Column("unit_code", String(18), nullable=False),
    Column("holder_unit_code", String(18)),
    Column("source", String(20), nullable=False),
    Column("external_ref", String(100)),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deadline_at", DateTime(timezone=True)),
    Column("rejection_reason", Text),
    Column("details", JSON, nullable=False),
)
Index("ix_cases_reported", cases.c.reported_at, cases.c.id)
Index("ix_cases_unit", cases.c.unit_code)
Index("ix_cases_status", cases.c.status)

escalation_timers = Table(
    "escalation_timers",
    metadata,
    Column("timer_id", String(160), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True)),
    Column("outcome", String(20)),
    Column("partition", Integer, nullable=False, server_default="0"),
)
Index("ix_escalation_timers_pending", escalation_timers.c.fired_at, escalation_timers.c.due_at)
Index(
    "ix_escalation_timers_partition_pending",
    escalation_timers.c.partition,
    escalation_timers.c.fired_at,
    escalation_timers.c.due_at,
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(200), primary_key=True),
    Column("notice_id", String(120), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("first_attempt_at", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
Index("ix_deliveries_case", deliveries.c.case_id)

# -- measures read models (services/measures) ----------------------------------------------

unit_queue = Table(
    "unit_queue",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("number", String(40), nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("status", String(20), nullable=False),
    Column("tier", String(10)),
    Column("level", String(10)),
    Column("holder_unit_code", String(18)),
    Column("order_id", String(80)),
    Column("acknowledged", Boolean, nullable=False),
    Column("ack_due_at", DateTime(timezone=True)),
    Column("paused", Boolean, nullable=False),
    Column("deadline_at", DateTime(timezone=True)),
    Column("follow_up_due_at", DateTime(timezone=True)),
    Column("follow_up_overdue", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_unit_queue_holder", unit_queue.c.holder_unit_code, unit_queue.c.status)

case_facts = Table(
    "case_facts",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("category", String(30)),
    Column("tier", String(10)),
    Column("status", String(20), nullable=False),
    Column("level", String(10)),
    Column("holder_unit_code", String(18)),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolve_seconds", Float),
    Column("outcome", String(20)),
    Column("judicial_confirmation", Boolean, nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("resolutions", Integer, nullable=False),
    Column("reopens", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("escalations", Integer, nullable=False),
    Column("supervisions", Integer, nullable=False),
    Column("follow_ups", Integer, nullable=False),
    Column("satisfied_follow_ups", Integer, nullable=False),
    Column("follow_ups_overdue", Integer, nullable=False),
    Column("folded_into", String(64)),
)
Index("ix_case_facts_reported", case_facts.c.reported_at)

hotspot_cases = Table(
    "hotspot_cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("number", String(40), nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("category", String(30)),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    # The incident's case when this report was folded into it (合并工单): counted there.
    Column("folded_into", String(64)),
)
Index(
    "ix_hotspot_cases_place",
    hotspot_cases.c.category,
    hotspot_cases.c.unit_code,
    hotspot_cases.c.reported_at,
)
Index("ix_hotspot_cases_reported", hotspot_cases.c.reported_at)

assignment_facts = Table(
    "assignment_facts",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("assignment", Integer, primary_key=True),
    Column("level", String(10), nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("tier", String(10), nullable=False),
    Column("cause", String(20), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("ack_seconds", Float),
    Column("ack_lapsed", Boolean, nullable=False),
    Column("overdue", Boolean, nullable=False),
    *(Column(name, Integer, nullable=False, server_default="0") for name in ASSIGNMENT_COUNTERS),
    Column("bounce_lost_seconds", Float, nullable=False, server_default="0"),
)

duplicate_index = Table(
    "duplicate_index",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("case_number", String(40), nullable=False),
    Column("neighbourhood", String(18), nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("category", String(30)),
    Column("text", Text, nullable=False),
    Column("party_keys", JSON, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("open", Boolean, nullable=False),
    Column("decision", String(10), nullable=False),
    Column("decided_case_id", String(64)),
    Column("decided_case_number", String(40)),
    Column("score", Float),
    Column("decided_at", DateTime(timezone=True)),
)
Index(
    "ix_duplicate_index_open",
    duplicate_index.c.neighbourhood,
    duplicate_index.c.reported_at,
    postgresql_where=duplicate_index.c.open,
    sqlite_where=duplicate_index.c.open,
)
Index(
    "ix_duplicate_index_proposed",
    duplicate_index.c.decided_at,
    postgresql_where=(duplicate_index.c.decision == "propose") & duplicate_index.c.open,
    sqlite_where=(duplicate_index.c.decision == "propose") & duplicate_index.c.open,
)
