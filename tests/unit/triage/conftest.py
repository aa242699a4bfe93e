from __future__ import annotations

import pytest

from services.triage.domain import classify
from services.triage.matcher import Matcher
from services.triage.models import CaseFacts, TriageResult
from services.triage.ruleset import RuleSet, load_ruleset

RULESET, MATCHER = load_ruleset("v1")


def triage(description: str = "", **fields: object) -> TriageResult:
    facts = CaseFacts(title=str(fields.pop("title", "")), description=description, **fields)  # type: ignore[arg-type]
    return classify(facts, ruleset=RULESET, matcher=MATCHER)


@pytest.fixture
def v1() -> tuple[RuleSet, Matcher]:
    return RULESET, MATCHER
