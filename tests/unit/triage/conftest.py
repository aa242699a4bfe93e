from __future__ import annotations

import pytest

from services.triage.domain import classify
from services.triage.matcher import Matcher
from services.triage.models import CaseFacts, TriageResult
from services.triage.ruleset import RuleSet, load_ruleset

RULESET, MATCHER = load_ruleset("v1")
RULESETS = {
    "v1": (RULESET, MATCHER),
    **{version: load_ruleset(version) for version in ("v2", "v3", "v4")},
}


def triage(description: str = "", *, version: str = "v1", **fields: object) -> TriageResult:
    facts = CaseFacts(title=str(fields.pop("title", "")), description=description, **fields)  # type: ignore[arg-type]
    ruleset, matcher = RULESETS[version]
    return classify(facts, ruleset=ruleset, matcher=matcher)


def triage_latest(description: str = "", **fields: object) -> TriageResult:
    return triage(description, version="v4", **fields)


@pytest.fixture
def v1() -> tuple[RuleSet, Matcher]:
    return RULESET, MATCHER
