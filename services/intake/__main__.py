"""``python -m services.intake [serve]``: the intake service alone (production mode)."""

from services.intake.main import SERVICE
from shared.runtime.serve import serve

serve([SERVICE], default_port=8000)
