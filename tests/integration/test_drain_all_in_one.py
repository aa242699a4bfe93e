"""`make run` stops promptly: the all-in-one process drains within a small part of its grace
period, however its reactors stand when the stop comes (no worker waits on a read model
that has already stopped)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.all_in_one import SERVICES
from services.sandbox.receiver import Receiver
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.notify_support import delivered, events_when, point_notify_at, with_org
from tests.integration.test_intake_api import report

ROUNDS = 3


async def test_the_all_in_one_process_stops_within_a_fraction_of_its_grace(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_notify_at(monkeypatch, receiver)
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    settings = with_org(settings, receiver, tmp_path)
    stops = []
    for _ in range(ROUNDS):  # the stop used to hang from the second start of a process on
        app = running_app(settings, SERVICES)
        api = await app.__aenter__()
        try:
            case_id = (await api.post("/v1/cases", json=report())).json()["id"]
            await events_when(api, case_id, lambda h: delivered(h, 2))
        finally:
            began = time.monotonic()
            await app.__aexit__(None, None, None)
        stops.append(time.monotonic() - began)
    assert max(stops) < settings.shutdown_grace_seconds / 4, stops
