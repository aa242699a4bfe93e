"""``python -m services.intake [serve]``: the intake process alone (production mode).

It serves the case API and the read models behind it: the case list, the unit work queues
and the county centre's measures (``services/measures``); ``services/processes.py`` composes it.
"""

from services.processes import INTAKE_PROCESS
from shared.runtime.serve import serve

serve(INTAKE_PROCESS, default_port=8000)
