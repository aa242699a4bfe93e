"""``python -m services.notify``: the notify service alone (with the development sandbox
receiver when ``FQ_NOTIFY_SANDBOX_PORT`` is set; ``services/processes.py`` composes it)."""

from services.processes import NOTIFY_PROCESS
from shared.runtime.serve import serve

serve(NOTIFY_PROCESS, default_port=8003)
