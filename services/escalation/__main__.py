"""``python -m services.escalation [serve]``: the escalation service alone."""

from services.escalation.main import SERVICE
from shared.runtime.serve import serve

serve([SERVICE], default_port=8002)
