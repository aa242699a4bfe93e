"""Who may call each route of the application: the table the authorisation matrix checks.

Every route the app serves must have a row here, or the matrix fails: a new endpoint comes
with its rule. A row says the role it needs (``None``: public, no key), how it is scoped to
regions, what the rightful caller gets, and what to send. Scopes:

* ``case``: about one case (its id in the path): another region's key gets 404.
* ``unit``: about one unit (its code in the path): another region's key gets 404.
* ``list``: a list or a measure: another region's key gets 200 without region A's case.
* ``report``: reports into a unit: another region's key gets 403 ``outside-regions``.
* ``global``: not about a region (the development clock): the role alone decides.

Rows are in the order the matrix calls them on one case: reads first, the ladder's
commands in an order the case allows (new facts re-run triage, which may move the case, so
they come after the bounce-back), closing commands last. Where a command's success
depends on what an earlier caller did to the case (a second acknowledgement, a decision on
a bounce-back already decided), 409 counts as admitted: it is the state's refusal, given
only after the caller was let in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from tests.integration.conftest import START

Scope = Literal["case", "unit", "list", "report", "global", "public"]


@dataclass(frozen=True)
class Case:
    """What the calls refer to: region A's case and units, region B's grid."""

    case_id: str
    grid_a: str
    other_grid_a: str
    grid_b: str
    party_ref: str = ""
    """The reference of the case's party (``GET /v1/parties/{ref}/cases``)."""


@dataclass(frozen=True)
class Rule:
    role: str | None
    scope: Scope
    ok: frozenset[int]
    body: Callable[[Case], Any] | None = None
    query: Callable[[Case], dict[str, str]] = field(default=lambda _c: {})
    shows: Callable[[Case], str] | None = None
    """A list's text the rightful answer holds and another region's does not."""


def rule(role: str | None, scope: Scope, *ok: int, **kw: Any) -> Rule:
    return Rule(role=role, scope=scope, ok=frozenset(ok), **kw)


def _report(c: Case) -> dict[str, Any]:
    return {"title": "邻里噪音", "description": "楼上夜间装修噪音扰民。", "unit_code": c.grid_a}


def _work_order(c: Case) -> dict[str, Any]:
    return {"work_order_no": "GD-MATRIX-1", "content": "噪音扰民", "area_code": c.grid_a}


def _reason(_c: Case) -> dict[str, str]:
    return {"reason": "等待当事人回复"}


WINDOW = {"from": (START - timedelta(days=1)).isoformat(), "to": "2030-01-01T00:00:00Z"}

RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): rule(None, "public", 200),
    ("GET", "/docs"): rule(None, "public", 200),
    ("GET", "/docs/oauth2-redirect"): rule(None, "public", 200),
    ("GET", "/redoc"): rule(None, "public", 200),
    ("GET", "/healthz"): rule(None, "public", 200),
    # The web console: its page and assets are public (they hold no data); signing in takes a
    # key (an unknown one is refused, as over REST) and everything after goes through /v1.
    ("GET", "/"): rule(None, "public", 307),
    ("GET", "/console/"): rule(None, "public", 200),
    ("GET", "/console/static/{name}"): rule(None, "public", 200),
    ("GET", "/console/static/{release}/{name}"): rule(None, "public", 200),
    ("POST", "/console/session"): rule(None, "public", 401, body=lambda _c: {"key": "unknown"}),
    ("GET", "/console/session"): rule(None, "public", 401),
    ("DELETE", "/console/session"): rule(None, "public", 204),
    ("GET", "/readyz"): rule(None, "public", 200, 503),
    ("GET", "/metrics"): rule("metrics", "global", 200),
    ("GET", "/v1/cases/{case_id}"): rule("reader", "case", 200),
    ("GET", "/v1/cases/{case_id}/events"): rule("reader", "case", 200),
    ("GET", "/v1/cases/{case_id}/duplicates"): rule("reader", "case", 200),
    ("GET", "/v1/cases"): rule("reader", "list", 200, shows=lambda c: c.case_id),
    ("GET", "/v1/units"): rule("reader", "list", 200, shows=lambda c: c.grid_a),
    ("GET", "/v1/units/{code}"): rule("reader", "unit", 200),
    ("GET", "/v1/units/{code}/queue"): rule("reader", "unit", 200),
    ("GET", "/v1/stats"): rule("reader", "list", 200, query=lambda _c: {"group_by": "unit"}),
    ("GET", "/v1/hotspots"): rule("reader", "list", 200),
    ("GET", "/v1/audit/timers"): rule("auditor", "list", 200, query=lambda _c: WINDOW),
    ("GET", "/v1/admin/deliveries"): rule("supervisor", "list", 200, shows=lambda c: c.case_id),
    ("GET", "/v1/parties/{ref}/cases"): rule("supervisor", "list", 200, shows=lambda c: c.case_id),
    ("POST", "/v1/parties/refs"): rule(
        "supervisor", "global", 200, body=lambda _c: {"phone": "13800000001"}
    ),
    # The matrix's one case is proposed for nothing: the list is empty for every region.
    ("GET", "/v1/duplicates/proposals"): rule("supervisor", "list", 200),
    ("GET", "/v1/admin/dead-letters"): rule("supervisor", "list", 200, shows=lambda c: c.case_id),
    ("POST", "/v1/cases"): rule("reporter", "report", 201, body=_report),
    ("POST", "/v1/hotline/work-orders"): rule("reporter", "report", 201, body=_work_order),
    ("POST", "/v1/cases/{case_id}/acknowledgement"): rule("handler", "case", 201, 409),
    ("POST", "/v1/dispatch-orders/{order_id}/ack"): rule("handler", "case", 201, 409),
    ("POST", "/v1/cases/{case_id}/attempts"): rule(
        "handler", "case", 201, body=lambda _c: {"result": "failed", "note": "调解未果"}
    ),
    ("POST", "/v1/cases/{case_id}/pause"): rule("handler", "case", 201, 409, body=_reason),
    ("POST", "/v1/cases/{case_id}/resume"): rule("handler", "case", 201, 409, body=_reason),
    ("POST", "/v1/cases/{case_id}/extension-requests"): rule(
        "handler",
        "case",
        201,
        409,
        body=lambda _c: {
            "reason": "等待鉴定",
            "deadline_at": (START + timedelta(hours=36)).isoformat(),
        },
    ),
    ("POST", "/v1/cases/{case_id}/extension-requests/{request_id}/approve"): rule(
        "supervisor", "case", 201, 409
    ),
    ("POST", "/v1/cases/{case_id}/extension-requests/{request_id}/refuse"): rule(
        "supervisor", "case", 201, 409, body=_reason
    ),
    ("POST", "/v1/cases/{case_id}/bounce-back"): rule("handler", "case", 201, 409, body=_reason),
    ("POST", "/v1/cases/{case_id}/bounce-back/reassign"): rule(
        "supervisor", "case", 201, 409, body=lambda c: {"unit_code": c.other_grid_a}
    ),
    ("POST", "/v1/cases/{case_id}/bounce-back/confirm"): rule(
        "supervisor", "case", 201, 409, body=lambda _c: {"note": ""}
    ),
    ("POST", "/v1/cases/{case_id}/escalation-requests"): rule("handler", "case", 201, 409),
    ("POST", "/v1/cases/{case_id}/tier-override"): rule(
        "supervisor", "case", 200, 409, body=lambda _c: {"tier": "yellow", "reason": "复核定级"}
    ),
    # The matrix has one case: folding it into itself is refused (409), and it is neither
    # folded nor proposed for anything, so unfolding and dismissing are refused too.
    ("POST", "/v1/cases/{case_id}/fold"): rule(
        "supervisor",
        "case",
        201,
        409,
        body=lambda c: {"into_case_id": c.case_id, "reason": "同一事件"},
    ),
    ("POST", "/v1/cases/{case_id}/unfold"): rule("supervisor", "case", 201, 409, body=_reason),
    ("POST", "/v1/cases/{case_id}/duplicates/dismiss"): rule(
        "supervisor",
        "case",
        201,
        409,
        body=lambda c: {"candidate_case_id": c.case_id, "reason": "不是同一事件"},
    ),
    ("POST", "/v1/cases/{case_id}/facts"): rule(
        "reporter", "case", 201, body=lambda _c: {"parties_count": 3}
    ),
    ("POST", "/v1/cases/{case_id}/resolution"): rule(
        "handler",
        "case",
        201,
        409,
        body=lambda _c: {"outcome": "mediated", "result_text": "双方达成调解协议"},
    ),
    ("POST", "/v1/cases/{case_id}/follow-up"): rule(
        "handler", "case", 201, 409, body=lambda _c: {"satisfied": True}
    ),
    ("POST", "/v1/admin/deliveries/{delivery_id}/retry"): rule("supervisor", "case", 202, 409),
    # The first supervisor's re-drive is taken; the next waits on it (or is taken once done).
    ("POST", "/v1/admin/dead-letters/{letter_id}/redrive"): rule("supervisor", "case", 202, 409),
    ("POST", "/v1/admin/clock"): rule(
        "admin",
        "global",
        200,
        409,
        body=lambda _c: {"now": (START + timedelta(hours=1)).isoformat()},
    ),
    ("POST", "/v1/admin/clock/advance"): rule(
        "admin", "global", 200, body=lambda _c: {"seconds": 60}
    ),
}
