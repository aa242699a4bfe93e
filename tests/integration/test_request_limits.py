"""Bounded input at the API edge: Idempotency-Key length, body size, listed errors, keys first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.intake.main import SERVICE as INTAKE
from shared.api.problems import MAX_LISTED_ERRORS
from shared.config import CLIENT_NAME_MAX, IDEMPOTENCY_KEY_MAX, CommonSettings
from shared.log.sql_schema import append_keys
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.test_intake_api import api, assert_problem, report

__all__ = ["api"]

LIMIT = CommonSettings().max_body_bytes
JSON = {"Content-Type": "application/json"}


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


async def test_a_bad_key_is_listed_first_beside_the_bodys_errors(api: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k" * (IDEMPOTENCY_KEY_MAX + 1)}
    answer = await api.post("/v1/cases", json=report(title=""), headers=headers)
    body = assert_problem(answer, 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["Idempotency-Key", "title"]


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The intake API on the embedded log, with the default body limit."""
    async with running_app(embedded_settings(tmp_path), [INTAKE]) as client:
        yield client


def anonymous(client: httpx.AsyncClient) -> httpx.AsyncClient:
    app = client.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


class Chunks:
    """A chunked body of ``total`` bytes that counts how much of it was taken."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.taken = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.total:
            self.taken += self.chunk
            yield b"{" + b" " * (self.chunk - 1) if self.taken == self.chunk else b" " * self.chunk


async def test_a_body_over_the_limit_by_content_length_is_413(edge: httpx.AsyncClient) -> None:
    body = b'{"title": "' + b"x" * LIMIT + b'"}'
    answer = await edge.post("/v1/cases", content=body, headers=JSON)
    assert_problem(answer, 413, "payload-too-large")


async def test_a_chunked_body_is_cut_off_once_it_grows_past_the_limit(
    edge: httpx.AsyncClient,
) -> None:
    body = Chunks(100 * 1024 * 1024)
    answer = await edge.post("/v1/cases", content=body, headers=JSON)
    assert_problem(answer, 413, "payload-too-large")
    assert body.taken <= LIMIT + 2 * body.chunk  # not the 100 MB


async def test_no_key_is_refused_before_the_body_is_read(edge: httpx.AsyncClient) -> None:
    async with anonymous(edge) as stranger:
        huge = Chunks(100 * 1024 * 1024)
        refused = await stranger.post("/v1/cases", content=huge, headers=JSON)
        malformed = await stranger.post("/v1/cases", content=b"{not json", headers=JSON)
        wrong_key = await stranger.post(
            "/v1/cases", content=b"{", headers={**JSON, "Authorization": "Bearer nobody"}
        )
    for answer in (refused, malformed, wrong_key):
        assert_problem(answer, 401, "unauthorized")
    assert huge.taken <= huge.chunk


async def test_a_422_lists_a_bounded_number_of_bounded_errors(edge: httpx.AsyncClient) -> None:
    invalid_parties = [{"name": "", "role": "nobody"} for _ in range(200)]
    body = report(parties=invalid_parties) | {"x" * 20_000: 1}
    answer = await edge.post("/v1/cases", json=body)
    problem = assert_problem(answer, 422, "validation")
    assert len(problem["errors"]) == MAX_LISTED_ERRORS
    assert problem["errors_not_listed"] == 2 * 200 + 1 - MAX_LISTED_ERRORS
    assert len(answer.content) < 10_000


async def test_many_unknown_members_are_one_error(edge: httpx.AsyncClient) -> None:
    unknown = {f"k{n}": n for n in range(10_000)}
    answer = await edge.post("/v1/cases", json=report() | unknown)
    problem = assert_problem(answer, 422, "validation")
    assert [e["type"] for e in problem["errors"]] == ["extra_forbidden"]
    assert "10000" in problem["errors"][0]["message"]
