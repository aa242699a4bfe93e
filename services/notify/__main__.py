"""``python -m services.notify``: the notify service alone."""

from services.notify.main import SERVICE
from shared.runtime.serve import serve

serve([SERVICE], default_port=8003)
