"""The base of every service's settings: environment variables, secret files, start-up checks.

Each setting ``x`` of a class with prefix ``P`` is read, first match wins, from

1. the environment variable ``P_X``;
2. the file named by ``P_X_FILE`` (its content, trailing newline removed) — the usual way
   to hand a mounted secret to one variable;
3. a ``.env`` file in the working directory;
4. a file named ``p_x`` (any case) in the directory ``FQ_SECRETS_DIR`` — a Kubernetes
   secret mounted as a volume, one file per key.

Outside development a class refuses the values it lists in ``unsafe_outside_development``.
``load_settings`` turns a refusal into a message that names the variables to fix.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

SECRETS_DIR_VARIABLE = "FQ_SECRETS_DIR"
FILE_SUFFIX = "_FILE"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class FileVariablesSource(PydanticBaseSettingsSource):
    """``P_X_FILE=/path`` sets ``x`` to the content of that file."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        prefix = str(self.config.get("env_prefix", ""))
        fields = self.settings_cls.model_fields
        values: dict[str, Any] = {}
        for name, field in fields.items():
            if f"{name}_file" in fields or field.validation_alias is not None:
                continue  # a setting of its own (FQ_API_KEYS_FILE), or a shared alias
            variable = f"{prefix}{name}{FILE_SUFFIX}".upper()
            path = os.environ.get(variable)
            if not path:
                continue
            try:
                text = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise SettingsError(f"{variable}: cannot read {path}: {exc.strerror}") from exc
            values[name] = (
                self.decode_complex_value(name, field, text)
                if self.field_is_complex(field)
                else text
            )
        return values


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        validation_alias=AliasChoices("FQ_ENVIRONMENT", "environment"),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets_dir = os.environ.get(SECRETS_DIR_VARIABLE) or None
        return (
            init_settings,
            env_settings,
            FileVariablesSource(settings_cls),
            dotenv_settings,
            SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir),
        )

    def complete(self) -> None:
        """Derive values from others (read a file a setting names) before the checks."""

    def unsafe_outside_development(self) -> list[str]:
        """What in these values is only acceptable in development (one line each)."""
        return []

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> ServiceSettings:
        self.complete()
        if self.environment is Environment.DEVELOPMENT:
            return self
        problems = self.unsafe_outside_development()
        if problems:
            raise ValueError(
                f"unsafe settings for environment {self.environment.value}: " + "; ".join(problems)
            )
        return self


class SettingsRefused(SystemExit):
    """The process stops before it starts: the message says which variables to fix."""


Loaded = TypeVar("Loaded", bound=ServiceSettings)


def load_settings(cls: type[Loaded]) -> Loaded:
    """Read ``cls`` from the environment, or stop with a message naming each bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        raise SettingsRefused(describe_refusal(cls, exc)) from None
    except SettingsError as exc:
        raise SettingsRefused(f"configuration refused ({cls.__name__}): {exc}") from None


def describe_refusal(cls: type[ServiceSettings], exc: ValidationError) -> str:
    """One line per problem; the values themselves are left out (they may be secrets)."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    lines = [f"configuration refused ({cls.__name__}):"]
    for error in exc.errors(include_input=False, include_url=False):
        location = error["loc"]
        message = error["msg"].removeprefix("Value error, ")
        if location:
            variable = f"{prefix}{location[0]}".upper()
            path = ".".join(str(part) for part in location[1:])
            lines.append(f"  {variable}{'.' + path if path else ''}: {message}")
        else:
            lines.append(f"  {message}")
    return "\n".join(lines)
