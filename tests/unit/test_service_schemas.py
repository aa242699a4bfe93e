"""Each service that decodes other services' events knows their schemas when it runs alone
(its own process in production), not only when all four share one process."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECKS = {
    "notify": "from services.notify.handlers import CAUSES as needed",
    "escalation": (
        "from services.escalation.ladder.evolve import EVOLVERS\n"
        "from services.escalation.handlers import TIER_EVENTS\n"
        "needed = set(EVOLVERS) | set(TIER_EVENTS)"
    ),
}


@pytest.mark.parametrize("service", sorted(CHECKS))
def test_a_service_alone_registers_every_event_type_it_consumes(service: str) -> None:
    program = (
        f"import services.{service}.main\n"
        f"{CHECKS[service]}\n"
        "from shared.events.registry import REGISTRY\n"
        "missing = sorted(t for t in needed if not REGISTRY.knows(t))\n"
        "print(','.join(missing))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "", f"{service} cannot decode: {answer.stdout.strip()}"
