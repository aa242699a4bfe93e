"""A released rule set never changes (RULES.md §2; docs/triage.md, "Versions").

Each case pins the version that triaged it (``ruleset_version`` in ``CaseTriaged``), so a
version must mean one reading for ever: its file stays byte for byte as released, and the
code that reads it gives every report of the evaluation set's tuning part the tier,
category and rules it gave when the version was released (``released_outcomes.json``,
written by the code of that release). New behaviour goes into a new version, behind a
setting the released files do not set (``upper_bounds`` in v3, for instance).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bench.triage_eval import load_cases
from services.triage.domain import classify
from services.triage.models import CaseFacts
from services.triage.ruleset import RULESETS, load_ruleset

RELEASED = {
    "v1": "08aeba7e02abe23d341930ef9def2bb3baef3540b9a4f606435d23210cb1b899",
    "v2": "264873e44f33fdba5e1bdca3a4ed1f16a503177dc506619d094bd1e61cce4d4e",
    "v3": "2144cef17878140d9d47f7036a078bef60481166304c7caaca3d6ce6dc54cc75",
}
"""The SHA-256 of each released rule-set file."""
OUTCOMES = json.loads((Path(__file__).parent / "released_outcomes.json").read_text("utf-8"))


@pytest.mark.parametrize("version", sorted(RELEASED))
def test_a_released_rule_set_file_is_as_released(version: str) -> None:
    data = (RULESETS / f"{version}.toml").read_bytes()
    assert hashlib.sha256(data).hexdigest() == RELEASED[version], (
        f"{version}.toml changed after its release: put the change in a new version"
    )


@pytest.mark.parametrize("version", sorted(RELEASED))
def test_a_released_rule_set_reads_every_report_as_it_did(version: str) -> None:
    ruleset, matcher = load_ruleset(version)
    expected = OUTCOMES[version]
    changed = []
    for case in load_cases():
        if case["id"] not in expected:
            continue
        result = classify(CaseFacts.model_validate(case["input"]), ruleset=ruleset, matcher=matcher)
        got = " ".join([result.tier.value, result.category.value, *sorted(result.rule_ids)])
        if got != expected[case["id"]]:
            changed.append(f"{case['id']}: {expected[case['id']]!r} -> {got!r}")
    assert len(expected) > 700 and not changed, "\n".join(changed[:10])


def test_a_rule_set_cuts_text_the_same_whichever_others_are_loaded(tmp_path: Path) -> None:
    """Each rule set learns its words into a segmenter of its own: a later rule set that
    learns a word (根本没打人) changes its own cut, not a released version's."""
    released, _ = load_ruleset("v2")
    assert released.reading is not None
    text = "他根本没打人，谁也没受伤"
    before = released.reading.cut(text)
    source = (RULESETS / "v4.toml").read_text(encoding="utf-8")
    later = tmp_path / "later.toml"
    later.write_text(source.replace("\nnegators = [", '\nnegators = ["根本没打人", ', 1), "utf-8")
    other, _ = load_ruleset(later)
    assert other.reading is not None
    assert ("根本没打人", 1, 6) in other.reading.cut(text)
    assert released.reading.cut(text) == before and ("根本没打人", 1, 6) not in before
