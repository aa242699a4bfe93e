"""The four levels of the organisation tree and of the escalation ladder (四级)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Levels from the bottom of the ladder to the top."""

    GRID = "grid"
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"

    @property
    def rank(self) -> int:
        """0 for grid up to 3 for county."""
        return _ORDER.index(self)

    @property
    def parent_level(self) -> Level | None:
        """The level above, or None at the county."""
        return _ORDER[self.rank + 1] if self.rank + 1 < len(_ORDER) else None

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank >= other.rank


_ORDER: tuple[Level, ...] = (Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY)
