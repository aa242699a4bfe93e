"""The ``repeat`` rule (RULES.md §2 and §2b): a dispute reported before goes one tier up.

Prior reports are counted from what the caller says (field ``prior_reports``, 多次反映) and,
in a rule set whose ``repeat`` rule reads the history, from the earlier cases the triage
reactor found: one of the same parties, or at the same grid and of the same category, within
the window. The larger count is taken; at the threshold (2: this is the third dispute) the
rule fires and its triggers name the earlier cases. Without a count the words decide.
"""

from __future__ import annotations

from services.triage.models import CaseFacts, EarlierCase, FiredRule, Trigger
from services.triage.ruleset import RuleSet
from shared.vocabulary import Category

EARLIER = "earlier_case"
"""The field name of a trigger that is an earlier case (its value is the case number)."""


def counted(facts: CaseFacts, category: Category, ruleset: RuleSet) -> list[EarlierCase]:
    """The earlier cases that count as prior reports, oldest first."""
    if not ruleset.rules["repeat"].history:
        return []
    found = [e for e in facts.earlier if e.same_party or (e.same_grid and e.category == category)]
    return sorted(found, key=lambda e: (e.reported_at, e.number))


def _why(case: EarlierCase, category: Category) -> str:
    reasons = ["same party"] if case.same_party else []
    if case.same_grid and case.category == category:
        reasons.append("same grid and category")
    return f"{' and '.join(reasons)}, reported {case.reported_at.date().isoformat()}"


def earlier_triggers(cases: list[EarlierCase], category: Category) -> tuple[Trigger, ...]:
    return tuple(
        Trigger(source="field", field=EARLIER, value=c.number, text=_why(c, category))
        for c in cases
    )


def repeat_rule(
    facts: CaseFacts, category: Category, *, words: list[FiredRule], ruleset: RuleSet
) -> list[FiredRule]:
    """The rule as it fires (or not): ``words`` is the rule read from the text."""
    earlier = counted(facts, category, ruleset)
    history = earlier_triggers(earlier, category)
    prior, threshold = facts.prior_reports, ruleset.thresholds.repeat_prior_reports
    if max(prior or 0, len(earlier)) >= threshold:
        said = prior is not None and prior >= threshold
        given = (Trigger(source="field", field="prior_reports", value=str(prior)),) if said else ()
        return [FiredRule(id="repeat", effect="one_up", triggers=given + history)]
    if prior is None and words:
        return [FiredRule(id="repeat", effect="one_up", triggers=words[0].triggers + history)]
    return []


def describe_earlier(trigger: Trigger) -> str:
    return f"earlier case {trigger.value} ({trigger.text})"
