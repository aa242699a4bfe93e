"""Rule sets are validated with clear errors; the classify command reads JSON Lines."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.triage.cli import classify_lines
from services.triage.ruleset import RULESETS, RulesetError, load_ruleset


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (RULESETS / "v1.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("[rules.extreme]", "[rules.extremist]", "unknown rule id 'extremist'"),
        ("mass_count = 10", "mass_count = 5", "parties_mid_max < mass_count"),
        (
            'effect = "one_up"\nwords = ["多次反映"',
            'effect = "red"\nwords = ["多次反映"',
            "must have effect 'one_up'",
        ),
        (
            "periods = []",
            'periods = [{ name = "x", start = 2027-03-15, end = 2027-03-01 }]',
            "ends before it starts",
        ),
        ('order = ["demolition"', 'order = ["demolitions"', "categories.order"),
    ],
)
def test_a_bad_rule_set_is_refused_with_the_reason(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    with pytest.raises(RulesetError, match="not valid") as refused:
        load_ruleset(write_variant(tmp_path, old, new))
    assert complaint in str(refused.value)


def test_a_deployment_can_add_synonyms_without_code(tmp_path: Path) -> None:
    path = write_variant(tmp_path, '"报复",', '"报复", "要他好看",')
    ruleset, matcher = load_ruleset(path)
    from services.triage.domain import classify
    from services.triage.models import CaseFacts

    result = classify(CaseFacts(description="扬言要他好看"), ruleset=ruleset, matcher=matcher)
    assert result.rule_ids == ["extreme"]


def test_classify_command_answers_each_line_and_reports_bad_ones() -> None:
    lines = [
        json.dumps(
            {"id": "a", "input": {"title": "讨薪", "description": "拖欠三十多名工人工资"}},
            ensure_ascii=False,
        ),
        "{broken",
        json.dumps({"id": "c", "input": {"description": "x", "parties_count": "many"}}),
        json.dumps({"id": "d", "input": {"description": "噪音扰民"}}, ensure_ascii=False),
    ]
    out, err = io.StringIO(), io.StringIO()

    status = classify_lines(lines, ruleset_name="v1", out=out, err=err)

    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["id"] for a in answers] == ["a", "d"]
    assert answers[0]["tier"] == "red" and answers[0]["ruleset"] == "v1"
    assert set(answers[0]) == {"id", "tier", "category", "rules", "explanation", "ruleset"}
    assert "line 2" in err.getvalue() and "line 3" in err.getvalue()
    assert "parties_count" in err.getvalue()
    assert status == 1


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('  "活不过",', '  "活不过(",', "pattern '活不过('"),
        ('entity_rules = ["vulnerable"]', 'entity_rules = ["vulnerables"]', "'vulnerables'"),
        ('negators = ["无",', 'negators_ = ["无",', "reading.negators"),
        (
            'deniable_category_words = ["医院",',
            'deniable_category_words = ["医馆",',
            "'医馆', no category's word",
        ),
    ],
)
def test_a_bad_pattern_or_reading_section_is_refused(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    text = (RULESETS / "v4.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesetError, match="not valid") as refused:
        load_ruleset(path)
    assert complaint in str(refused.value)


def test_a_deployment_adds_a_paraphrase_pattern_without_code(tmp_path: Path) -> None:
    from services.triage.domain import classify
    from services.triage.models import CaseFacts

    text = (RULESETS / "v4.toml").read_text(encoding="utf-8")
    path = tmp_path / "county.toml"
    path.write_text(
        text.replace('  "活不过",', '  "活不过",\n  "让他.{0,2}吃不了兜着走",'), "utf-8"
    )
    ruleset, matcher = load_ruleset(path)

    result = classify(
        CaseFacts(description="扬言要让他吃不了兜着走"), ruleset=ruleset, matcher=matcher
    )
    assert result.rule_ids == ["extreme"]
    denied = classify(
        CaseFacts(description="他说不会让他吃不了兜着走"), ruleset=ruleset, matcher=matcher
    )
    assert denied.rule_ids == [] and denied.set_aside[0].because == "不会"


def test_the_classify_command_uses_the_configured_rule_set_by_default() -> None:
    from services.triage.cli import main

    out = io.StringIO()
    line = json.dumps({"id": "a", "input": {"description": "现场无人受伤"}}, ensure_ascii=False)
    with contextlib.redirect_stdout(out), pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(line + "\n"))
        assert main(["classify", "-"]) == 0
    answer = json.loads(out.getvalue())
    assert answer["ruleset"] == "v4" and answer["tier"] == "blue"
    assert any("受伤" in line and "无" in line for line in answer["explanation"])


def test_loading_v3_starts_the_segmenter_quietly() -> None:
    code = "from services.triage.ruleset import load_ruleset; load_ruleset('v3')"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert (done.stdout, done.stderr) == ("", "")
