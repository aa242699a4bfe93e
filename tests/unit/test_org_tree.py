"""The organisation tree: code rules, validation with clear errors, lookups, the sample."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from shared.org.codes import BadUnitCode, fold_micro_grid, level_of, parent_code
from shared.org.generate import generate
from shared.org.levels import Level
from shared.org.loader import OrgTreeError, load_org_tree, sample_county_path

CONTACT = {"name": "测试甲", "phone": "17000000001", "channels": ["sms"]}


def unit(code: str, level: str, parent: str | None, name: str = "单位") -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "team": "网格员",
        "primary": CONTACT,
        "backup": CONTACT,
    }


SMALL = [
    unit("330681", "county", None, "诸暨市"),
    unit("330681106000", "township", "330681", "枫桥镇"),
    unit("330681106001", "village", "330681106000", "枫源村"),
    unit("330681106001001", "grid", "330681106001", "枫源村第1网格"),
]


def write_json(tmp_path: Path, units: list[dict[str, Any]]) -> Path:
    path = tmp_path / "units.json"
    path.write_text(json.dumps({"units": units}, ensure_ascii=False), encoding="utf-8")
    return path


def test_code_rules() -> None:
    assert level_of("330681") is Level.COUNTY
    assert level_of("330681106000") is Level.TOWNSHIP
    assert level_of("330681106001") is Level.VILLAGE
    assert level_of("330681106001001") is Level.GRID
    assert fold_micro_grid("330681106001001007") == "330681106001001"
    assert parent_code("330681106001001007") == "330681106001"
    assert parent_code("330681106001") == "330681106000"
    with pytest.raises(BadUnitCode, match="6, 12, 15 or 18 digits"):
        level_of("3306811")
    with pytest.raises(BadUnitCode, match="digits only"):
        level_of("33068A")


def test_a_valid_tree_loads_with_lookups(tmp_path: Path) -> None:
    tree = load_org_tree(write_json(tmp_path, SMALL))
    grid = "330681106001001"
    assert tree.county.name == "诸暨市" and len(tree) == 4
    assert tree.resolve(grid + "009").code == grid  # type: ignore[union-attr]
    assert [u.code for u in tree.ancestors(grid)] == ["330681106001", "330681106000", "330681"]
    assert tree.ancestor_at(grid, Level.TOWNSHIP).name == "枫桥镇"  # type: ignore[union-attr]
    assert set(tree.path(grid)) == set(Level)
    assert [u.code for u in tree.units(parent="330681106000")] == ["330681106001"]
    assert [u.code for u in tree.units(level=Level.GRID)] == [grid]
    assert tree.contains("330681999999") and not tree.contains("110105001")


def test_every_problem_is_reported_at_once_and_names_its_entry(tmp_path: Path) -> None:
    bad = [
        *SMALL,
        unit("330681106001", "village", "330681106000", "重复村"),  # duplicate
        unit("330681107001", "village", "330681107000", "孤儿村"),  # orphan
        unit("33068110600X", "village", "330681106000"),  # bad code
        unit("330681106002", "township", "330681"),  # level does not match the code
        {
            "code": "330681106003",
            "name": "无联系人村",
            "level": "village",
            "parent_code": "330681106000",
            "team": "x",
        },  # missing contacts
    ]
    with pytest.raises(OrgTreeError) as refused:
        load_org_tree(write_json(tmp_path, bad))
    message = str(refused.value)
    assert "duplicate code 330681106001" in message
    assert "orphan unit 330681107001" in message
    assert "digits only" in message
    assert "is a village code, but level is township" in message
    assert "entry 9 (330681106003)" in message and "primary" in message
    assert len(refused.value.problems) == 5


def test_csv_files_load_too(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "code",
                "name",
                "level",
                "parent_code",
                "team",
                "primary_name",
                "primary_phone",
                "primary_webhook_url",
                "primary_channels",
                "backup_name",
                "backup_phone",
                "backup_webhook_url",
                "backup_channels",
            ]
        )
        for u in SMALL:
            writer.writerow(
                [
                    u["code"],
                    u["name"],
                    u["level"],
                    u["parent_code"] or "",
                    u["team"],
                    "测试甲",
                    "17000000001",
                    "",
                    "sms;webhook",
                    "测试乙",
                    "17000000002",
                    "",
                    "sms",
                ]
            )
    tree = load_org_tree(path)
    assert tree.get("330681106001001").primary.channels == ("sms", "webhook")  # type: ignore[union-attr]


def test_the_sample_county_is_realistic_and_generated_deterministically() -> None:
    tree = load_org_tree(sample_county_path())
    grids = tree.units(level=Level.GRID)
    assert 1400 <= len(grids) <= 1600
    assert len(tree.units(level=Level.COUNTY)) == 1
    assert all(tree.ancestor_at(g.code, Level.COUNTY) == tree.county for g in grids)
    seed = json.loads((sample_county_path().parent / "sample_seed.json").read_text())
    assert generate(seed) == generate(seed)
    shipped = json.loads(sample_county_path().read_text())["units"]
    assert shipped == json.loads(json.dumps(generate(seed), ensure_ascii=False))
