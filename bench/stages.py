"""The embedded system with only some of its stages, for ``bench/capacity.py``'s split of
the CPU a case costs, and ``bench/intake.py --stages``: ``FQ_BENCH_STAGES`` names them
(``intake`` with the case list, ``read_models``: the unit queues and the measures' facts,
then ``triage``, ``escalation``, ``notify``).

    FQ_BENCH_STAGES=intake,triage .venv/bin/python -m bench.stages
"""

from __future__ import annotations

import os

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.measures.main import SERVICE as LIFECYCLE
from services.notify.main import SERVICE as NOTIFY
from services.triage.main import SERVICE as TRIAGE
from shared.runtime.serve import serve
from shared.runtime.service import ServiceModule

STAGES: dict[str, tuple[ServiceModule, ...]] = {
    "intake": (INTAKE,),
    "read_models": (LIFECYCLE,),
    "triage": (TRIAGE,),
    "escalation": (ESCALATION,),
    "notify": (NOTIFY,),
}


def selected(names: str) -> list[ServiceModule]:
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = set(chosen) - set(STAGES)
    if unknown:
        raise SystemExit(f"unknown stages {sorted(unknown)}; known: {list(STAGES)}")
    return [service for name in chosen for service in STAGES[name]]


if __name__ == "__main__":
    serve(selected(os.environ.get("FQ_BENCH_STAGES", ",".join(STAGES))), default_port=8000)
