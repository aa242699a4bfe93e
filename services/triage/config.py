"""Triage settings: which rule set this deployment runs (``FQ_TRIAGE_RULESET``), and how
duplicate reports are folded (``FQ_DUPLICATES_*``)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.triage.duplicates.similarity import FOLD_THRESHOLD, PROPOSE_THRESHOLD
from shared.settings_base import ServiceSettings


class TriageSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FQ_TRIAGE_", env_file=".env", extra="ignore")

    ruleset: str = "v4"
    """A version under services/triage/rulesets/ (``v4``, the latest; ``v3``, ``v2`` and ``v1``,
    which reads words alone, as released) or the path of a TOML file."""


class DuplicatesSettings(ServiceSettings):
    """Duplicate reports folded into one case (合并工单): docs/duplicates.md."""

    model_config = SettingsConfigDict(env_prefix="FQ_DUPLICATES_", env_file=".env", extra="ignore")

    enabled: bool = Field(
        default=True,
        description="Duplicates (合并工单): look each new report up among the open cases near "
        "it, fold a clear match and propose a doubtful one; false: every report is a case of "
        "its own",
    )
    window_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 90,
        description="Duplicates (合并工单): open cases reported this many hours before or after "
        "a report, at its grid or a neighbouring grid of its village, are its candidates",
    )
    fold_threshold: float = Field(
        default=FOLD_THRESHOLD,
        gt=0,
        le=1,
        description="Duplicates: a candidate scoring at least this folds the report into its "
        "case by the rule (no clock, no order of its own)",
    )
    propose_threshold: float = Field(
        default=PROPOSE_THRESHOLD,
        gt=0,
        le=1,
        description="Duplicates: a candidate scoring at least this (below the fold threshold) "
        "is proposed to a supervisor (DuplicateProposed)",
    )
    max_candidates: int = Field(
        default=200,
        ge=1,
        le=5000,
        description="Duplicates: the most recent open cases of the neighbourhood scored for one "
        "report",
    )

    @model_validator(mode="after")
    def _ordered(self) -> DuplicatesSettings:
        if self.propose_threshold > self.fold_threshold:
            raise ValueError("FQ_DUPLICATES_PROPOSE_THRESHOLD is above the fold threshold")
        return self
