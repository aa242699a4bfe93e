"""Bounded input at the API edge: Idempotency-Key length, body size, listed errors, keys first."""

from __future__ import annotations

import httpx
import pytest

from shared.config import CLIENT_NAME_MAX, IDEMPOTENCY_KEY_MAX
from shared.log.sql_schema import append_keys
from tests.integration.test_intake_api import api, assert_problem, report

__all__ = ["api"]


def test_the_longest_client_and_key_fit_the_store_column() -> None:
    longest = f"report:{'c' * CLIENT_NAME_MAX}:{'k' * IDEMPOTENCY_KEY_MAX}"
    assert len(longest) <= append_keys.c.key.type.length


@pytest.mark.parametrize("length", [IDEMPOTENCY_KEY_MAX + 1, 181, 200, 201])
async def test_an_over_long_idempotency_key_is_refused_naming_the_header(
    api: httpx.AsyncClient, length: int
) -> None:
    answer = await api.post("/v1/cases", json=report(), headers={"Idempotency-Key": "k" * length})
    body = assert_problem(answer, 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["Idempotency-Key"]


async def test_the_longest_idempotency_key_is_accepted_and_replays(api: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k" * IDEMPOTENCY_KEY_MAX}
    first = await api.post("/v1/cases", json=report(), headers=headers)
    again = await api.post("/v1/cases", json=report(), headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("value", ["", " "])
async def test_an_empty_idempotency_key_is_refused_not_shared(
    api: httpx.AsyncClient, value: str
) -> None:
    answer = await api.post("/v1/cases", json=report(), headers={"Idempotency-Key": value})
    body = assert_problem(answer, 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["Idempotency-Key"]
