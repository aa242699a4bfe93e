from __future__ import annotations

import pytest

from services.triage.domain import classify
from services.triage.matcher import Matcher
from services.triage.models import CaseFacts, TriageResult
from services.triage.ruleset import RuleSet, load_ruleset

RULESET, MATCHER = load_ruleset("v1")
RULESETS = {"v1": (RULESET, MATCHER), "v2": load_ruleset("v2"), "v3": load_ruleset("v3")}


def triage(description: str = "", *, version: str = "v1", **fields: object) -> TriageResult:
    facts = CaseFacts(title=str(fields.pop("title", "")), description=description, **fields)  # type: ignore[arg-type]
    ruleset, matcher = RULESETS[version]
    return classify(facts, ruleset=ruleset, matcher=matcher)


def triage_latest(description: str = "", **fields: object) -> TriageResult:
    return triage(description, version="v3", **fields)


@pytest.fixture
def v1() -> tuple[RuleSet, Matcher]:
    return RULESET, MATCHER
