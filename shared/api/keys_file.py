"""Read API keys from a JSON file (a mounted secret in production)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from shared.config import ApiKeySetting


def read_keys_file(path: Path) -> list[ApiKeySetting]:
    from shared.config import ApiKeySetting

    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValueError(f"cannot read API keys file {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise ValueError(f"API keys file {path} must hold a JSON list of keys")
    return [ApiKeySetting.model_validate(item) for item in raw]
