"""``python -m services.intake [serve]``: the intake process alone (production mode).

It serves the case API and the read models behind it: the case list, the unit work queues
and the county centre's measures (``services/lifecycle``).
"""

from services.intake.main import SERVICE
from services.lifecycle.main import SERVICE as READ_MODELS
from shared.runtime.serve import serve

serve([SERVICE, READ_MODELS], default_port=8000)
