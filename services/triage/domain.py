"""Classify a report: colour tier, category and the rules that fired, with their triggers.

Tier arithmetic (RULES.md §2): start from blue, take the highest floor any "red" or
"at least yellow" rule gives, then one step up for each "one tier up" rule, never above red.
A field given in the request wins over the same fact read from the text.
"""

from __future__ import annotations

from decimal import Decimal

from services.triage.frames import denied_quantities
from services.triage.matcher import Matcher
from services.triage.models import CaseFacts, FiredRule, SetAside, TriageResult, Trigger
from services.triage.numerals import Quantity, read_quantities
from services.triage.reading import read
from services.triage.repeat import EARLIER, describe_earlier, repeat_rule
from services.triage.ruleset import RuleSet
from shared.vocabulary import Category, Tier

FLOORS = {"red": Tier.RED, "at_least_yellow": Tier.YELLOW}


def tier_of(rules: list[FiredRule] | tuple[FiredRule, ...]) -> Tier:
    tier = Tier.highest(*(FLOORS[r.effect] for r in rules if r.effect in FLOORS))
    for _ in (r for r in rules if r.effect == "one_up"):
        tier = tier.step_up()
    return tier


def _words(found: dict[str, list[str]], tag: str) -> list[Trigger]:
    return [Trigger(source="text", text=word) for word in found.get(tag, [])]


def _field(name: str, value: object) -> Trigger:
    return Trigger(source="field", field=name, value=str(value))


def _text(quantity: Quantity) -> Trigger:
    return Trigger(source="text", text=quantity.text, value=str(quantity.value))


def infer_category(
    facts: CaseFacts, *, found: dict[str, list[str]], ruleset: RuleSet
) -> tuple[Category, tuple[Trigger, ...]]:
    if facts.category is not None:
        return facts.category, (_field("category", facts.category.value),)
    for category in ruleset.categories.order:
        words = _words(found, f"category:{category.value}")
        if words:
            return category, tuple(words)
    return Category.OTHER, ()


def _count_rules(facts: CaseFacts, counts: list[Quantity], ruleset: RuleSet) -> list[FiredRule]:
    limits = ruleset.thresholds
    if facts.parties_count is not None:
        count, trigger = facts.parties_count, _field("parties_count", facts.parties_count)
    elif counts:
        biggest = max(counts, key=lambda q: q.value)
        count, trigger = biggest.value, _text(biggest)
    else:
        return []
    if count >= limits.mass_count:
        return [FiredRule(id="mass", effect="red", triggers=(trigger,))]
    if limits.parties_mid_min <= count <= limits.parties_mid_max:
        return [FiredRule(id="parties_mid", effect="at_least_yellow", triggers=(trigger,))]
    return []


def _money_rules(
    facts: CaseFacts, amounts: list[Quantity], ruleset: RuleSet, found: dict[str, list[str]]
) -> list[FiredRule]:
    """By the field, else by the largest amount read from the text; an amount said in a form
    the numerals do not read (20w, 万把块) fires by the rule's patterns (rule set v2 on)."""
    fired = _amount_rules(facts, amounts, ruleset)
    if facts.amount_cny is None:
        for rule_id in ("money_high", "money_mid"):
            for extra in _word_rule(rule_id, found, ruleset):
                fired = _merge(fired, extra)
    if any(rule.id == "money_high" for rule in fired):
        fired = [rule for rule in fired if rule.id != "money_mid"]
    return fired


def _amount_rules(facts: CaseFacts, amounts: list[Quantity], ruleset: RuleSet) -> list[FiredRule]:
    limits = ruleset.thresholds
    amount: Decimal | int
    if facts.amount_cny is not None:
        amount, trigger = facts.amount_cny, _field("amount_cny", facts.amount_cny)
    elif amounts:
        biggest = max(amounts, key=lambda q: q.value)
        amount, trigger = biggest.value, _text(biggest)
    else:
        return []
    if amount >= limits.money_high_cny:
        return [FiredRule(id="money_high", effect="red", triggers=(trigger,))]
    if amount >= limits.money_mid_cny:
        return [FiredRule(id="money_mid", effect="at_least_yellow", triggers=(trigger,))]
    return []


def _word_rule(rule_id: str, found: dict[str, list[str]], ruleset: RuleSet) -> list[FiredRule]:
    rule = ruleset.rules[rule_id]
    triggers = _words(found, f"rule:{rule_id}")
    if not triggers and found.get(f"combo1:{rule_id}") and found.get(f"combo2:{rule_id}"):
        for first, second in rule.combos:
            a = [w for w in found[f"combo1:{rule_id}"] if w in first]
            b = [w for w in found[f"combo2:{rule_id}"] if w in second]
            if a and b:
                triggers.append(Trigger(source="text", text=f"{a[0]}…{b[0]}"))
                break
    return [FiredRule(id=rule_id, effect=rule.effect, triggers=tuple(triggers))] if triggers else []


def _context_rules(
    facts: CaseFacts, category: Category, found: dict[str, list[str]], ruleset: RuleSet
) -> list[FiredRule]:
    fired: list[FiredRule] = []
    risky = ruleset.rules["risky_category"]
    triggers = _words(found, "rule:risky_category")
    if category in risky.categories:
        triggers.insert(
            0,
            Trigger(
                source="field" if facts.category else "text", field="category", value=category.value
            ),
        )
    if triggers:
        fired.append(
            FiredRule(id="risky_category", effect="at_least_yellow", triggers=tuple(triggers))
        )
    words = _word_rule("repeat", found, ruleset)
    fired += repeat_rule(facts, category, words=words, ruleset=ruleset)
    if facts.reported_at is not None:
        day = facts.reported_at.date()
        for period in ruleset.rules["sensitive_period"].periods:
            if period.start <= day <= period.end:
                trigger = Trigger(source="field", field="reported_at", value=period.name)
                fired.append(FiredRule(id="sensitive_period", effect="one_up", triggers=(trigger,)))
                break
    return fired


def classify(facts: CaseFacts, *, ruleset: RuleSet, matcher: Matcher) -> TriageResult:
    text = f"{facts.title}\n{facts.description}"
    found, set_aside = _scan(text, ruleset=ruleset, matcher=matcher)
    upper_bounds = ruleset.reading is not None and ruleset.reading.upper_bounds
    spoken = ruleset.reading is not None and ruleset.reading.spoken_numbers
    kin = ruleset.reading is not None and ruleset.reading.kin_counts
    counts, amounts = read_quantities(text, upper_bounds=upper_bounds, spoken=spoken, kin=kin)
    if ruleset.reading is not None and ruleset.reading.quantity_negators:
        counts, counts_aside = denied_quantities(ruleset.reading, text, counts, "count")
        amounts, amounts_aside = denied_quantities(ruleset.reading, text, amounts, "amount")
        set_aside += (*counts_aside, *amounts_aside)
    category, category_triggers = infer_category(facts, found=found, ruleset=ruleset)
    fired: list[FiredRule] = []
    for rule_id in ("extreme", "petition", "mass", "severe_harm", "injury", "vulnerable"):
        fired += _word_rule(rule_id, found, ruleset)
    for extra in _count_rules(facts, counts, ruleset):
        fired = _merge(fired, extra)
    fired += _money_rules(facts, amounts, ruleset, found)
    fired += _context_rules(facts, category, found, ruleset)
    fired.sort(key=lambda r: r.id)
    return TriageResult(
        tier=tier_of(fired),
        category=category,
        category_triggers=category_triggers,
        rules=tuple(fired),
        ruleset_version=ruleset.version,
        explanation=tuple(explain(fired, category, category_triggers, set_aside)),
        set_aside=set_aside,
    )


def _scan(
    text: str, *, ruleset: RuleSet, matcher: Matcher
) -> tuple[dict[str, list[str]], tuple[SetAside, ...]]:
    """The words that count per tag, and the mentions set aside (none in a rule set that
    reads words alone, such as v1)."""
    if ruleset.reading is None:
        return matcher.find(text), ()
    found, aside = read(text, matcher.mentions(text), ruleset.reading)
    return found, tuple(
        SetAside(rule=a.rule, text=a.text, because=a.because, topic=a.topic) for a in aside
    )


def _merge(fired: list[FiredRule], extra: FiredRule) -> list[FiredRule]:
    """A rule found by words and by a count fires once, with both triggers."""
    for index, rule in enumerate(fired):
        if rule.id == extra.id:
            merged = FiredRule(
                id=rule.id, effect=rule.effect, triggers=rule.triggers + extra.triggers
            )
            return [*fired[:index], merged, *fired[index + 1 :]]
    return [*fired, extra]


def _describe(trigger: Trigger) -> str:
    if trigger.field == EARLIER:
        return describe_earlier(trigger)
    if trigger.source == "field":
        return f"field {trigger.field}={trigger.value}"
    if trigger.value is not None and trigger.text is not None:
        return f"“{trigger.text}” (= {trigger.value})"
    return f"“{trigger.text}”" if trigger.text else f"{trigger.field}={trigger.value}"


def explain(
    fired: list[FiredRule],
    category: Category,
    category_triggers: tuple[Trigger, ...],
    set_aside: tuple[SetAside, ...] = (),
) -> list[str]:
    lines = [
        f"{rule.id} ({rule.effect}): " + ", ".join(_describe(t) for t in rule.triggers)
        for rule in fired
    ]
    lines += [
        f"set aside {a.rule}: “{a.text}” "
        + ("only the topic of" if a.topic else "ruled out by")
        + f" “{a.because}”"
        for a in set_aside
    ]
    because = ", ".join(_describe(t) for t in category_triggers) or "no category words"
    lines.append(f"category {category.value}: {because}")
    lines.append(f"tier {tier_of(fired).value}")
    return lines
