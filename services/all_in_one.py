"""All four services in one process (``make run``): embedded log and SQLite by default.

The measures read models run in the intake process, as in ``python -m services.processes intake``.
"""

from __future__ import annotations

from services.processes import ALL_IN_ONE
from shared.runtime.serve import serve
from shared.runtime.service import ServiceModule

SERVICES: list[ServiceModule] = ALL_IN_ONE

if __name__ == "__main__":
    serve(SERVICES, default_port=8000)
