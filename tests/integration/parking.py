"""Park a case's report with the dead letters, as a consumer that failed on it would."""

from __future__ import annotations

from shared.log.port import EventLog


async def park_report(log: EventLog, case_id: str, *, group: str, reason: str) -> None:
    async for batch in log.replay():
        for delivery in batch:
            event = delivery.event
            if event and event.case_id == case_id and event.event_type == "CaseReported":
                await log.dead_letter(delivery, group=group, reason=reason)
                return
    raise AssertionError(f"the report of {case_id} is not in the log")
