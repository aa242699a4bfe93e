"""Settings refuse unsafe defaults outside development; personal data is masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from shared.api.masking import mask_free_text, mask_id_number, mask_name, mask_phone
from shared.config import ApiKeySetting, CommonSettings
from shared.runtime.logging import scrub

SAFE = {
    "environment": "production",
    "log_backend": "kafka",
    "database_url": "postgresql+asyncpg://u:p@db/fengqiao",
    "api_keys": [ApiKeySetting(key=SecretStr("s3cret"), client="c", regions=["330681"])],
}


def test_production_settings_with_safe_values_start() -> None:
    assert CommonSettings(**SAFE).environment == "production"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"api_keys": []}, "no API keys"),
        ({"api_keys": [ApiKeySetting(key=SecretStr("dev"), client="d", regions=[""])]}, "'dev'"),
        (
            {"api_keys": [ApiKeySetting(key=SecretStr("CHANGE-ME-x"), client="p", regions=[""])]},
            "CHANGE-ME",
        ),
        ({"log_backend": "embedded"}, "embedded log"),
        ({"database_url": "sqlite+aiosqlite:///x.db"}, "SQLite"),
        ({"clock": "simulated"}, "simulated clock"),
    ],
)
def test_production_refuses_unsafe_defaults(override: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        CommonSettings(**{**SAFE, **override})  # type: ignore[arg-type]


def test_a_client_name_longer_than_64_characters_is_refused() -> None:
    with pytest.raises(ValidationError, match="client"):
        ApiKeySetting(key=SecretStr("k"), client="c" * 65, regions=[""])


def test_development_defaults_are_the_embedded_system_with_the_dev_key() -> None:
    settings = CommonSettings()
    assert settings.log_backend == "embedded" and settings.database_url.startswith("sqlite")
    assert [k.key.get_secret_value() for k in settings.api_keys] == ["dev"]


def test_masks() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("330681199001011234") == "330***********1234"


def test_log_scrubber_hides_phones_and_ids_but_keeps_unit_codes() -> None:
    line = scrub("phone 13812345678 id 33068119900101123X unit 330681106001001001")
    assert "13812345678" not in line and "33068119900101123X" not in line
    assert "330681106001001001" in line


def test_api_keys_come_from_a_mounted_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text('[{"key": "k-1", "client": "hotline", "regions": ["330681106"]}]')
    settings = CommonSettings(**{**SAFE, "api_keys": [], "api_keys_file": path})  # type: ignore[arg-type]
    assert [(k.client, k.regions) for k in settings.api_keys] == [("hotline", ["330681106"])]
    path.write_text("{broken")
    with pytest.raises(ValidationError, match="cannot read API keys file"):
        CommonSettings(**{**SAFE, "api_keys_file": path})  # type: ignore[arg-type]


def test_free_text_masks_numbers_and_named_parties_but_not_codes() -> None:
    text = (
        "欧阳娜娜与张三: 13812345678, 0575-87654321, 33068119900101123X; "
        "unit 330681106001001001, case 8e7f1abe-cdd6-0575-9f73-63f662371234, 2026-03-02T01:00Z"
    )
    masked = mask_free_text(text, names=["张三", "欧阳娜娜", "王"])
    assert masked == (
        "欧***与张*: 138****5678, 057******4321, 330***********123X; "
        "unit 330681106001001001, case 8e7f1abe-cdd6-0575-9f73-63f662371234, 2026-03-02T01:00Z"
    )


def test_kafka_transactions_need_the_idempotent_producer() -> None:
    with pytest.raises(ValidationError, match="FQ_KAFKA_TRANSACTIONS needs FQ_KAFKA_IDEMPOTENCE"):
        CommonSettings(kafka_transactions=True, kafka_idempotence=False)
    assert CommonSettings(kafka_transactions=True).kafka_transactional_id  # the host name
