"""The organisation tree index: O(1) lookups by code, children, ancestors, levels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from shared.org.codes import fold_micro_grid
from shared.org.levels import Level
from shared.org.models import Unit


class OrgTree:
    def __init__(self, units: Iterable[Unit]) -> None:
        ordered = sorted(units, key=lambda u: u.code)
        self._by_code = {u.code: u for u in ordered}
        self._children: dict[str, list[Unit]] = defaultdict(list)
        self._by_level: dict[Level, list[Unit]] = defaultdict(list)
        for unit in ordered:
            self._by_level[unit.level].append(unit)
            if unit.parent_code is not None:
                self._children[unit.parent_code].append(unit)
        counties = self._by_level[Level.COUNTY]
        if len(counties) != 1:
            raise ValueError(f"a tree needs exactly one county, found {len(counties)}")
        self.county: Unit = counties[0]

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def resolve(self, code: str) -> Unit | None:
        """The unit a code belongs to; a micro-grid resolves to its grid."""
        return self._by_code.get(fold_micro_grid(code))

    def contains(self, code: str) -> bool:
        """Whether a code lies in this county's jurisdiction (known unit or not)."""
        return code.startswith(self.county.code)

    def children(self, code: str) -> list[Unit]:
        return list(self._children.get(code, ()))

    def ancestors(self, code: str) -> list[Unit]:
        """The units above, nearest first."""
        found: list[Unit] = []
        unit = self.resolve(code)
        while unit is not None and unit.parent_code is not None:
            unit = self._by_code.get(unit.parent_code)
            if unit is not None:
                found.append(unit)
        return found

    def ancestor_at(self, code: str, level: Level) -> Unit | None:
        """The unit itself or its ancestor at ``level``."""
        unit = self.resolve(code)
        if unit is None or unit.level > level:
            return None
        if unit.level is level:
            return unit
        return next((u for u in self.ancestors(code) if u.level is level), None)

    def path(self, code: str) -> dict[Level, Unit]:
        unit = self.resolve(code)
        if unit is None:
            return {}
        return {u.level: u for u in [unit, *self.ancestors(code)]}

    def units(self, *, level: Level | None = None, parent: str | None = None) -> list[Unit]:
        chosen = self._children.get(parent, []) if parent is not None else None
        if chosen is None:
            chosen = (
                self._by_level.get(level, []) if level is not None else list(self._by_code.values())
            )
        elif level is not None:
            chosen = [u for u in chosen if u.level is level]
        return list(chosen)
