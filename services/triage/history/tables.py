"""The history read model's tables: one row per reported case, one per party key in it.

Only keyed hashes of phone and ID numbers are kept (``shared/cases/party_keys.py``); the
tables share the read models' metadata, so the migrations and a rebuild's fresh copies
know them.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table

from shared.cases.party_keys import KEY_MAX
from shared.db.schema import metadata

case_history = Table(
    "case_history",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("number", String(40), nullable=False),
    Column("unit_code", String(18), nullable=False),
    Column("category", String(30)),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    # The incident's case when this report was folded into it (合并工单): not a dispute of
    # its own, so it does not count as an earlier case.
    Column("folded_into", String(64)),
)
Index("ix_case_history_grid", case_history.c.unit_code, case_history.c.reported_at)

party_cases = Table(
    "party_cases",
    metadata,
    Column("party_key", String(KEY_MAX), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("reported_at", DateTime(timezone=True), nullable=False),
)
Index("ix_party_cases_key", party_cases.c.party_key, party_cases.c.reported_at)
