"""Pure intake rules: does a report belong to this county, and which event records it."""

from __future__ import annotations

from shared.cases.catalogue.intake import CaseRejected, CaseReported, ReportFacts
from shared.org.codes import fold_micro_grid
from shared.org.tree import OrgTree

OUTSIDE_JURISDICTION = "outside-jurisdiction"


class UnknownUnit(ValueError):
    """A unit code inside the county that the organisation tree does not hold."""


def check_known_unit(unit_code: str, *, tree: OrgTree) -> str:
    """The grid-level (or higher) code a report belongs to; micro-grids fold into grids."""
    folded = fold_micro_grid(unit_code)
    if tree.get(folded) is None:
        raise UnknownUnit(
            f"unit {unit_code} is inside county {tree.county.code} but not in its organisation tree"
        )
    return folded


def decide_report(facts: ReportFacts, *, tree: OrgTree, number: str) -> CaseReported | CaseRejected:
    """Accept the report, or reject it (退单) when it happened outside this county."""
    if not tree.contains(facts.unit_code):
        return CaseRejected(
            **facts.__dict__,
            reason_code=OUTSIDE_JURISDICTION,
            reason=(
                f"unit {facts.unit_code} is outside the jurisdiction of "
                f"{tree.county.name} ({tree.county.code})"
            ),
        )
    grid_code = check_known_unit(facts.unit_code, tree=tree)
    # The facts' values as validated (``__dict__``), not a dump whose parties would be
    # rebuilt from dicts and validated once more.
    return CaseReported(**facts.__dict__, number=number, grid_unit_code=grid_code)
