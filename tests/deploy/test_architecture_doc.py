"""docs/architecture.md opens with the map a newcomer needs, and the map stays true.

* The reaction table equals what the code's own tables say (who reacts to which event).
* Every file the rule -> file table names exists, and every section of RULES.md §2-§5
  has rows.
"""

from __future__ import annotations

import re

from tests.deploy.architecture_map import reaction_rows
from tests.deploy.import_graph import ROOT

DOC = ROOT / "docs" / "architecture.md"


def _section(title: str) -> list[str]:
    text = DOC.read_text("utf-8")
    start = text.index(f"### {title}")
    end = text.find("\n#", start + 4)
    return text[start:end].splitlines()


def test_the_reaction_table_is_the_codes_own() -> None:
    documented = [line for line in _section("Who reacts to which event") if line.startswith("|")]
    assert documented == reaction_rows(), (
        "docs/architecture.md's reaction table differs from the code; print "
        "tests.deploy.architecture_map.reaction_rows() and paste it"
    )


def test_every_rule_names_a_file_that_exists() -> None:
    rows = [
        line for line in _section("Where each rule of RULES.md lives") if line.startswith("| §")
    ]
    named = {
        path
        for row in rows
        for path in re.findall(r"`((?:services|shared)/[\w/.*]+\.(?:py|toml))`", row)
    }
    missing = sorted(path for path in named if not list(ROOT.glob(path)))
    assert named and not missing, missing
    assert {row.split("|")[1].strip() for row in rows} >= {"§2", "§2b", "§3", "§3b", "§4", "§5"}
