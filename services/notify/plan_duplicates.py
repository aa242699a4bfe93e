"""Who is asked to decide a proposed duplicate (疑似重复, 待合并): no I/O.

Triage proposes a report as a retelling of an open case when its score lies between the
propose and fold thresholds (docs/duplicates.md); a supervisor folds or dismisses it on the
console's 待合并 page. This notice tells the report's township (or the county centre, for a
report made there) that a proposal is waiting: both case numbers and the score, no parties.
The report itself runs its own clock and order meanwhile, as any case does.
"""

from __future__ import annotations

from services.notify.plan import Situation, notice
from shared.cases.catalogue.notify import DispatchOrderIssued
from shared.org.levels import Level


def deciding_unit(s: Situation) -> str | None:
    """The township above the report's unit; the county centre above a county report."""
    unit = s.case["unit_code"]
    township = s.tree.ancestor_at(unit, Level.TOWNSHIP)
    return township.code if township else s.tree.county.code


def proposal_summary(s: Situation) -> str:
    p = s.event.payload
    return (
        f"疑似重复：{s.case['number']}「{s.case['title']}」与{p['candidate_case_number']}"
        f"可能为同一事件（相似度{p['score']:.2f}），请在待合并中决定"
    )


def on_duplicate_proposed(s: Situation) -> list[DispatchOrderIssued | None]:
    return [
        notice(
            s,
            0,
            purpose="duplicate_proposal",
            unit_code=deciding_unit(s),
            show_parties=False,
            summary=proposal_summary(s),
        )
    ]


DUPLICATE_PLANNERS = {"DuplicateProposed": on_duplicate_proposed}
