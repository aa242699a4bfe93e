"""The replay benchmark's log: the template streams cloned under new case and event ids
(every id inside a body mapped, so timer, order and delivery ids stay unique)."""

from __future__ import annotations

import re
import uuid

from bench.replay_templates import Template

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NAMESPACE = uuid.UUID("0b6f3c1e-2a8d-4c55-9f0e-7d1a3b2c4e5f")


class _IdMap:
    """Old id -> the id it has in one round of clones (stable within the round)."""

    def __init__(self, round_: int) -> None:
        self._round = round_
        self._mapped: dict[bytes, bytes] = {}

    def __call__(self, old: bytes) -> bytes:
        if old not in self._mapped:
            fresh = uuid.uuid5(NAMESPACE, f"{self._round}/{old.decode()}")
            self._mapped[old] = str(fresh).encode()
        return self._mapped[old]


def cloned_rows(templates: list[Template], events: int) -> list[tuple[object, ...]]:
    """Event-log rows: the template log again and again, each round under new ids."""
    pieces = [(t, UUID.split(t.body), UUID.findall(t.body)) for t in templates]
    rows: list[tuple[object, ...]] = []
    position = 0
    round_ = 0
    while position < events:
        new_id = _IdMap(round_)

        for template, texts, ids in pieces:
            if position >= events:
                break
            parts = [texts[0]]
            for old, text in zip(ids, texts[1:], strict=True):
                parts.append(new_id(old))
                parts.append(text)
            position += 1
            rows.append(
                (
                    position,
                    new_id(template.event_id.encode()).decode(),
                    new_id(template.case_id.encode()).decode(),
                    template.sequence,
                    template.event_type,
                    template.recorded_at,
                    b"".join(parts),
                    True,
                )
            )
        round_ += 1
    return rows
