"""Settings come from variables, from files named by *_FILE variables and from a secrets
directory; a refusal names the variables to fix and never shows a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.escalation.config import LadderSettings
from services.migrate import MigrateSettings
from services.notify.config import NotifySettings
from services.triage.config import TriageSettings
from shared.config import CommonSettings
from shared.runtime.serve import load_all
from shared.runtime.service import ServiceModule
from shared.settings_base import ServiceSettings, SettingsRefused, load_settings

PRODUCTION = {
    "FQ_ENVIRONMENT": "production",
    "FQ_LOG_BACKEND": "kafka",
    "FQ_API_KEYS": '[{"key": "k-9f2", "client": "county", "regions": ["330681"]}]',
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("FQ_ENVIRONMENT", "FQ_DATABASE_URL", "FQ_SECRETS_DIR", "FQ_LOG_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)


def test_every_service_has_its_settings_on_the_shared_base() -> None:
    for cls in (CommonSettings, NotifySettings, LadderSettings, TriageSettings, MigrateSettings):
        assert issubclass(cls, ServiceSettings)


def test_a_file_variable_carries_a_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    production(monkeypatch)
    secret = tmp_path / "database-url"
    secret.write_text("postgresql+asyncpg://fq:s3cret@db:5432/fengqiao\n")
    monkeypatch.setenv("FQ_DATABASE_URL_FILE", str(secret))
    assert load_settings(CommonSettings).database_url == (
        "postgresql+asyncpg://fq:s3cret@db:5432/fengqiao"
    )


def test_a_variable_wins_over_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "url").write_text("postgresql+asyncpg://from-file/db")
    monkeypatch.setenv("FQ_DATABASE_URL_FILE", str(tmp_path / "url"))
    monkeypatch.setenv("FQ_DATABASE_URL", "postgresql+asyncpg://from-variable/db")
    assert CommonSettings().database_url == "postgresql+asyncpg://from-variable/db"


def test_a_mounted_secrets_directory_fills_notify_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in {
        "FQ_NOTIFY_SIGNING_SECRET": "sign-7c1",
        "FQ_NOTIFY_SMS_API_KEY": "sms-51a",
        "fq_notify_hotline_api_key": "hotline-e02",  # file names match in any case
    }.items():
        (secrets / name).write_text(value)
    monkeypatch.setenv("FQ_SECRETS_DIR", str(secrets))
    monkeypatch.setenv("FQ_ENVIRONMENT", "production")
    settings = load_settings(NotifySettings)
    assert settings.signing_secret.get_secret_value() == "sign-7c1"
    assert settings.sms_api_key.get_secret_value() == "sms-51a"
    assert settings.hotline_api_key.get_secret_value() == "hotline-e02"


def test_a_json_setting_can_come_from_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "templates.json").write_text('{"order": "TPL_ORDER_9"}')
    monkeypatch.setenv("FQ_NOTIFY_SMS_TEMPLATES_FILE", str(tmp_path / "templates.json"))
    assert NotifySettings().sms_templates == {"order": "TPL_ORDER_9"}


def test_an_unreadable_file_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FQ_DATABASE_URL_FILE", "/nonexistent/database-url")
    with pytest.raises(SettingsRefused, match="FQ_DATABASE_URL_FILE: cannot read"):
        load_settings(CommonSettings)


def test_a_refusal_names_each_variable_and_hides_the_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FQ_KAFKA_PARTITIONS", "0")
    monkeypatch.setenv("FQ_SHUTDOWN_GRACE_SECONDS", "soon")
    monkeypatch.setenv("FQ_MIGRATIONS", "sometimes")
    with pytest.raises(SettingsRefused) as refused:
        load_settings(CommonSettings)
    message = str(refused.value.code)
    assert "FQ_KAFKA_PARTITIONS: Input should be greater than or equal to 1" in message
    assert "FQ_SHUTDOWN_GRACE_SECONDS:" in message
    assert "FQ_MIGRATIONS: Input should be 'apply' or 'check'" in message
    assert "sometimes" not in message.split("FQ_MIGRATIONS:")[1].split("'check'")[1]


def test_production_refuses_the_development_defaults_with_one_line_per_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FQ_ENVIRONMENT", "production")
    with pytest.raises(SettingsRefused) as refused:
        load_settings(CommonSettings)
    message = str(refused.value.code)
    for complaint in ("'dev'", "embedded log", "SQLite"):
        assert complaint in message


def test_production_refuses_notify_development_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FQ_ENVIRONMENT", "production")
    monkeypatch.setenv("FQ_NOTIFY_SIGNING_SECRET", "sign-7c1")
    with pytest.raises(SettingsRefused) as refused:
        load_settings(NotifySettings)
    message = str(refused.value.code)
    assert "FQ_NOTIFY_SMS_API_KEY is the development key" in message
    assert "SIGNING_SECRET" not in message


def test_a_process_checks_every_services_settings_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production(monkeypatch)
    monkeypatch.setenv("FQ_DATABASE_URL", "postgresql+asyncpg://u:p@db/fengqiao")
    notify = ServiceModule(name="notify", settings=[NotifySettings])
    with pytest.raises(SettingsRefused, match="NotifySettings"):
        load_all([notify])


def test_the_migration_command_refuses_sqlite_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FQ_ENVIRONMENT", "production")
    with pytest.raises(SettingsRefused, match="SQLite"):
        load_settings(MigrateSettings)


def test_the_ladder_version_does_not_depend_on_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    development = LadderSettings().version
    monkeypatch.setenv("FQ_ENVIRONMENT", "production")
    assert LadderSettings().version == development
