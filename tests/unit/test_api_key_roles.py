"""A key's roles are the documented ones: a misspelt role is refused, not silently inert."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from shared.config import REPORT_ANYWHERE, ROLES, ApiKeySetting


def test_every_documented_role_is_accepted() -> None:
    key = ApiKeySetting(key=SecretStr("k"), client="12345", regions=[""], roles=list(ROLES))
    assert REPORT_ANYWHERE in key.roles


def test_a_misspelt_role_is_refused() -> None:
    with pytest.raises(ValidationError, match="report_anywhere"):
        ApiKeySetting(key=SecretStr("k"), client="12345", regions=[""], roles=["report_anywhere"])
