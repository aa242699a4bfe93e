"""The 30 worked examples of shared/domain/triage-examples.jsonl, exactly, under rule set v1
and under v2."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.unit.triage.conftest import triage

REPO = Path(__file__).resolve().parents[3]
DOMAIN = Path(os.environ.get("FQ_DOMAIN_DIR", REPO.parent / "shared" / "domain"))
EXAMPLES_FILE = DOMAIN / "triage-examples.jsonl"


def examples() -> list[dict[str, Any]]:
    if not EXAMPLES_FILE.exists():
        return []
    return [json.loads(line) for line in EXAMPLES_FILE.read_text().splitlines() if line.strip()]


def test_the_examples_file_is_there() -> None:
    assert len(examples()) == 30, f"expected 30 examples in {EXAMPLES_FILE}"


@pytest.mark.parametrize("version", ["v1", "v2", "v3", "v4"])
@pytest.mark.parametrize("example", examples(), ids=lambda e: e["id"])
def test_worked_example(example: dict[str, Any], version: str) -> None:
    fields = dict(example["input"])
    result = triage(fields.pop("description"), version=version, **fields)
    expected = example["expected"]
    assert (result.tier.value, result.category.value, result.rule_ids) == (
        expected["tier"],
        expected["category"],
        sorted(expected["rules"]),
    ), result.explanation
