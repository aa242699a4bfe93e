"""Unit codes (RULES.md §1).

county = 6 digits; township and village = the 12-digit statistical division code
(统计用区划代码: province 2, city 2, county 2, township 3, village 3), a township's ending
in 000; grid = village code + 3 digits (15); micro-grid (微网格) = grid + 3 digits (18),
which folds into its grid.
"""

from __future__ import annotations

import re

from shared.org.levels import Level

_DIGITS = re.compile(r"^[0-9]+$")


class BadUnitCode(ValueError):
    """A code that does not follow the unit code rules."""


def level_of(code: str) -> Level:
    """The level a code denotes; a micro-grid code denotes its grid's level."""
    if not _DIGITS.match(code):
        raise BadUnitCode(f"unit code {code!r} must contain digits only")
    if len(code) == 6:
        return Level.COUNTY
    if len(code) == 12:
        return Level.TOWNSHIP if code.endswith("000") else Level.VILLAGE
    if len(code) in (15, 18):
        if code[9:12] == "000":
            raise BadUnitCode(f"grid code {code!r} must extend a village code, not a township")
        return Level.GRID
    raise BadUnitCode(f"unit code {code!r} must have 6, 12, 15 or 18 digits, not {len(code)}")


def fold_micro_grid(code: str) -> str:
    """A micro-grid's code becomes its grid's; other codes are returned unchanged."""
    return code[:15] if len(code) == 18 else code


def parent_code(code: str) -> str | None:
    """The code of the unit above, by the code rules; None for a county."""
    code = fold_micro_grid(code)
    level = level_of(code)
    if level is Level.COUNTY:
        return None
    if level is Level.TOWNSHIP:
        return code[:6]
    if level is Level.VILLAGE:
        return code[:9] + "000"
    return code[:12]
