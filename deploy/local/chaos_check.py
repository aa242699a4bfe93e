"""The invariants of a chaos run, checked from outside through the API and the receiver, so
they hold against any deployment (a base URL and a key; the receiver's inbox if it has one).

* every acknowledged report is in the log once: one case carries its title, with the id the
  client was given, and its history has one CaseReported;
* each effect once: one CaseTriaged and one CaseAssigned per case, one DispatchOrderIssued
  per notice id, one DispatchOrderDelivered per delivery id;
* the receiver knows no delivery twice: each planned delivery arrived under its own key (a
  re-send after a crash carries the same key, and the receiver keeps one);
* nothing stuck: every case reaches that state (triaged, assigned, each planned delivery
  delivered and received) before the deadline; the cases short of it are counted as stuck.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from chaos_load import Sent, marker

ONCE = ("CaseReported", "CaseTriaged", "CaseAssigned")
POLL_SECONDS = 1.0


@dataclass
class CaseState:
    """What one case's history shows; ``done`` when it is where the run expects it."""

    kinds: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    planned: set[str] = field(default_factory=set)
    delivered: Counter[str] = field(default_factory=Counter)

    @property
    def duplicates(self) -> int:
        return (
            sum(max(0, self.kinds[k] - 1) for k in ONCE)
            + sum(n - 1 for n in self.notices.values())
            + sum(n - 1 for n in self.delivered.values())
        )

    def done(self, received: set[str] | None) -> bool:
        settled = all(self.kinds[k] for k in ONCE) and bool(self.planned)
        settled = settled and self.planned <= set(self.delivered)
        return settled and (received is None or self.planned <= received)


def case_state(history: list[dict[str, Any]]) -> CaseState:
    state = CaseState()
    for event in history:
        kind, payload = event["type"], event["payload"]
        state.kinds[kind] += 1
        if kind == "DispatchOrderIssued":
            state.notices[payload["notice_id"]] += 1
            state.planned |= {d["delivery_id"] for d in payload["deliveries"]}
        elif kind == "DispatchOrderDelivered":
            state.delivered[payload["delivery_id"]] += 1
    return state


@dataclass
class Verdict:
    cases: int = 0
    missing: list[int] = field(default_factory=list)
    """Acknowledged reports whose case the log does not show (lost)."""
    extra_cases: int = 0
    """Cases of the run beyond one per report (duplicated reports)."""
    wrong_ids: int = 0
    orders: int = 0
    deliveries: int = 0
    received: int | None = None
    resent_same_key: int | None = None
    duplicates: int = 0
    stuck: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not (self.missing or self.extra_cases or self.wrong_ids or self.stuck) and (
            self.duplicates == 0
        )


async def run_cases(
    api: httpx.AsyncClient, run: str, *, unit_code: str, since: datetime
) -> dict[str, list[str]]:
    """Case ids by title among the cases reported to ``unit_code`` since ``since``."""
    found: dict[str, list[str]] = {}
    params: dict[str, Any] = {"unit": unit_code, "reported_from": since.isoformat(), "limit": 500}
    while True:
        page = (await api.get("/v1/cases", params=params)).raise_for_status().json()
        for case in page["items"]:
            if case["title"].startswith(f"chaos {run} #"):
                found.setdefault(case["title"], []).append(case["id"])
        if not page["next_cursor"]:
            return found
        params["cursor"] = page["next_cursor"]


async def inbox(receiver: httpx.AsyncClient | None) -> tuple[set[str], int] | None:
    """Keys the receiver accepted (one each) and how many requests it accepted in all."""
    if receiver is None:
        return None
    body = (await receiver.get("/inbox")).raise_for_status().json()
    return {item["key"] for item in body["received"]}, int(body["requests"])


async def history_of(api: httpx.AsyncClient, case_id: str) -> list[dict[str, Any]]:
    answer = await api.get(f"/v1/cases/{case_id}/events")
    if answer.status_code == 404:
        return []
    result: list[dict[str, Any]] = answer.raise_for_status().json()
    return result


async def listed(
    api: httpx.AsyncClient, sent: Sent, *, unit_code: str, since: datetime, within: float
) -> dict[str, list[str]]:
    """The run's cases in the case list, once it shows every acknowledged one (it is a read
    model a little behind the log) or ``within`` s have passed."""
    deadline = time.monotonic() + within
    while True:
        by_title = await run_cases(api, sent.run, unit_code=unit_code, since=since)
        titles = {marker(sent.run, n) for n in sent.acknowledged}
        if titles <= set(by_title) or time.monotonic() > deadline:
            return by_title
        await asyncio.sleep(POLL_SECONDS)


async def settle(
    api: httpx.AsyncClient,
    case_ids: list[str],
    receiver: httpx.AsyncClient | None,
    *,
    within: float,
) -> tuple[dict[str, CaseState], tuple[set[str], int] | None]:
    """Poll each case until it is done or ``within`` s have passed; the last states."""
    states: dict[str, CaseState] = {}
    pending = list(case_ids)
    deadline = time.monotonic() + within
    while True:
        seen = await inbox(receiver)
        keys = seen[0] if seen else None
        for case_id in pending:
            states[case_id] = case_state(await history_of(api, case_id))
        pending = [c for c in pending if not states[c].done(keys)]
        if not pending or time.monotonic() > deadline:
            return states, await inbox(receiver)
        await asyncio.sleep(POLL_SECONDS)


async def check(
    api: httpx.AsyncClient,
    sent: Sent,
    *,
    unit_code: str,
    since: datetime,
    receiver: httpx.AsyncClient | None,
    within: float,
) -> Verdict:
    verdict = Verdict(wrong_ids=len(sent.conflicting_ids))
    states, seen = await settle(api, list(sent.acknowledged.values()), receiver, within=within)
    by_title = await listed(api, sent, unit_code=unit_code, since=since, within=within)
    verdict.cases = sum(len(ids) for ids in by_title.values())
    verdict.extra_cases = sum(len(ids) - 1 for ids in by_title.values())
    for n, case_id in sent.acknowledged.items():
        ids = by_title.get(marker(sent.run, n), [])
        if not ids or states[case_id].kinds["CaseReported"] == 0:
            verdict.missing.append(n)
        elif case_id not in ids:
            verdict.wrong_ids += 1
    keys = seen[0] if seen else None
    for case_id, state in states.items():
        verdict.orders += len(state.notices)
        verdict.deliveries += sum(state.delivered.values())
        verdict.duplicates += state.duplicates
        if not state.done(keys):
            verdict.stuck.append(case_id)
    if seen is not None:
        planned = set().union(*(s.planned for s in states.values())) if states else set()
        verdict.received = len(planned & seen[0])
        verdict.resent_same_key = seen[1] - len(seen[0])
    return verdict
