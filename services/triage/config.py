"""Triage settings: which rule set this deployment runs (``FQ_TRIAGE_RULESET``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings_base import ServiceSettings


class TriageSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FQ_TRIAGE_", env_file=".env", extra="ignore")

    ruleset: str = "v2"
    """A version under services/triage/rulesets/ (``v2``, or ``v1`` which reads words alone)
    or the path of a TOML file."""
