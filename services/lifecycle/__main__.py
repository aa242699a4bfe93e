"""``python -m services.lifecycle [serve]``: the lifecycle read models alone (production mode)."""

from services.lifecycle.main import SERVICE
from shared.runtime.serve import serve

serve([SERVICE], default_port=8004)
