"""Load and validate an organisation tree file (JSON or CSV).

JSON: a list of unit objects (or ``{"units": [...]}``) shaped like ``shared.org.models.Unit``.
CSV: one row per unit with the columns ``code, name, level, parent_code, team,
primary_name, primary_phone, primary_webhook_url, primary_channels, backup_name,
backup_phone, backup_webhook_url, backup_channels`` (channels separated by ``;``).

Every problem is reported at once, each naming its entry and code.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from shared.org.codes import BadUnitCode, level_of, parent_code
from shared.org.levels import Level
from shared.org.models import Unit
from shared.org.tree import OrgTree


class OrgTreeError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"the organisation tree has {len(problems)} problem(s):\n  {listed}{more}")


def _contact(row: dict[str, str], prefix: str) -> dict[str, Any]:
    channels = [c for c in (row.get(f"{prefix}_channels") or "sms").split(";") if c]
    return {
        "name": row.get(f"{prefix}_name", ""),
        "phone": row.get(f"{prefix}_phone", ""),
        "webhook_url": row.get(f"{prefix}_webhook_url") or None,
        "channels": channels,
    }


def _read_entries(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [
                {
                    "code": row.get("code", ""),
                    "name": row.get("name", ""),
                    "level": row.get("level", ""),
                    "parent_code": row.get("parent_code") or None,
                    "team": row.get("team", ""),
                    "primary": _contact(row, "primary"),
                    "backup": _contact(row, "backup"),
                }
                for row in csv.DictReader(handle)
            ]
    raw = orjson.loads(path.read_bytes())
    entries = raw.get("units") if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        raise OrgTreeError([f"{path}: expected a list of units or {{'units': [...]}}"])
    return entries


def _check_code(unit: Unit, where: str) -> list[str]:
    try:
        actual = level_of(unit.code)
    except BadUnitCode as exc:
        return [f"{where}: {exc}"]
    if len(unit.code) == 18:
        return [f"{where}: {unit.code} is a micro-grid code; micro-grids fold into their grid"]
    if actual is not unit.level:
        return [f"{where}: code {unit.code} is a {actual.value} code, but level is {unit.level}"]
    expected_parent = parent_code(unit.code)
    if unit.parent_code != expected_parent:
        return [f"{where}: parent of {unit.code} must be {expected_parent}, not {unit.parent_code}"]
    return []


def validate_units(entries: list[dict[str, Any]], *, source: str = "units") -> list[Unit]:
    problems: list[str] = []
    units: list[Unit] = []
    for index, entry in enumerate(entries):
        code = entry.get("code") if isinstance(entry, dict) else None
        where = f"{source} entry {index + 1} ({code or 'no code'})"
        try:
            unit = Unit.model_validate(entry)
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            problems.append(f"{where}: {fields}")
            continue
        problems += _check_code(unit, where)
        units.append(unit)
    by_code: dict[str, Unit] = {}
    for unit in units:
        if unit.code in by_code:
            problems.append(f"duplicate code {unit.code} ({by_code[unit.code].name}, {unit.name})")
        by_code[unit.code] = unit
    counties = [u for u in units if u.level is Level.COUNTY]
    if len(counties) != 1:
        problems.append(f"exactly one county is needed, found {len(counties)}")
    for unit in units:
        if unit.parent_code is not None and unit.parent_code not in by_code:
            problems.append(
                f"orphan unit {unit.code} ({unit.name}): parent {unit.parent_code} "
                "is not in the file"
            )
    if problems:
        raise OrgTreeError(problems)
    return units


def load_org_tree(path: Path | str) -> OrgTree:
    path = Path(path)
    try:
        entries = _read_entries(path)
    except (OSError, orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OrgTreeError([f"cannot read {path}: {exc}"]) from exc
    return OrgTree(validate_units(entries, source=path.name))


def sample_county_path() -> Path:
    return Path(__file__).parent / "data" / "sample_county.json"
