"""The embedded log's indexes: each append pays for every index entry it writes, so on
SQLite only what a query needs is indexed (the rows the Kafka relay has yet to publish)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shared.log.embedded import EmbeddedLog
from tests.contract.events import new_case, noted


def indexes(database: Path) -> dict[str, str | None]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_log'"
        ).fetchall()
        return {name: sql for name, sql in rows}
    finally:
        conn.close()


async def test_only_rows_to_publish_are_indexed_and_a_former_full_index_goes(
    tmp_path: Path,
) -> None:
    database = tmp_path / "log.db"
    log = EmbeddedLog(f"sqlite+aiosqlite:///{database}")
    await log.start()
    case = new_case()
    await log.append(case, [noted(case, "first")])
    await log.close()
    # A log made before: its full index on (published, position) is still there.
    conn = sqlite3.connect(database)
    conn.execute("CREATE INDEX ix_event_log_unpublished ON event_log (published, position)")
    conn.close()

    reopened = EmbeddedLog(f"sqlite+aiosqlite:///{database}")
    await reopened.start()
    try:
        assert [e.payload["note"] for e in await reopened.read_stream(case)] == ["first"]
    finally:
        await reopened.close()

    found = indexes(database)
    assert "ix_event_log_unpublished" not in found
    assert "WHERE published = 0" in (found["ix_event_log_to_publish"] or "")
    assert set(found) == {"ix_event_log_to_publish", "sqlite_autoindex_event_log_1"}
