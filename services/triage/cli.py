"""``python -m services.triage classify FILE``: classify JSON Lines reports offline.

Each input line is ``{"id": ..., "input": {title, description, category, parties_count,
amount_cny, prior_reports, reported_at}}``; each output line is ``{"id", "tier",
"category", "rules", "explanation", "ruleset"}``. ``-`` reads standard input. A bad line is
reported on standard error with its number and the others still run (exit status 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TextIO

import orjson
from pydantic import ValidationError

from services.triage.config import TriageSettings
from services.triage.domain import classify
from services.triage.models import CaseFacts
from services.triage.ruleset import RulesetError, load_ruleset


def classify_lines(lines: Iterable[str], *, ruleset_name: str, out: TextIO, err: TextIO) -> int:
    ruleset, matcher = load_ruleset(ruleset_name)
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
            if not isinstance(item, dict) or "input" not in item:
                raise ValueError('expected an object with "id" and "input"')
            facts = CaseFacts.model_validate(item["input"])
        except ValidationError as exc:
            failures += 1
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            print(f"line {number}: invalid input: {fields}", file=err)
            continue
        except (orjson.JSONDecodeError, ValueError) as exc:
            failures += 1
            print(f"line {number}: not a JSON object with id and input: {exc}", file=err)
            continue
        result = classify(facts, ruleset=ruleset, matcher=matcher)
        answer = {
            "id": item.get("id"),
            "tier": result.tier.value,
            "category": result.category.value,
            "rules": result.rule_ids,
            "explanation": list(result.explanation),
            "ruleset": result.ruleset_version,
        }
        out.write(orjson.dumps(answer).decode() + "\n")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.triage")
    commands = parser.add_subparsers(dest="command", required=True)
    classify_cmd = commands.add_parser("classify", help="classify JSON Lines reports")
    classify_cmd.add_argument("file", help="a JSON Lines file, or - for standard input")
    classify_cmd.add_argument(
        "--ruleset", default=TriageSettings().ruleset, help="version name or TOML path"
    )
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            return classify_lines(
                sys.stdin, ruleset_name=args.ruleset, out=sys.stdout, err=sys.stderr
            )
        with open(args.file, encoding="utf-8") as handle:
            return classify_lines(handle, ruleset_name=args.ruleset, out=sys.stdout, err=sys.stderr)
    except (OSError, RulesetError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
