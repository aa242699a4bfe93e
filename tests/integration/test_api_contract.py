"""What a generated client learns from /openapi.json, and who may read /metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from services.all_in_one import SERVICES
from services.intake.main import SERVICE as INTAKE
from shared.api.openapi import api_routes, needs_key
from shared.config import ApiKeySetting, CommonSettings
from shared.runtime.app import create_app
from tests.integration.api_client import embedded_settings, running_app

PROBLEM = "application/problem+json"


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_v1_operation_asks_for_the_bearer_key_and_documents_problems() -> None:
    schema = create_app(settings=CommonSettings(), services=SERVICES).openapi()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key",
    }
    assert "Problem" in schema["components"]["schemas"]
    v1 = [op for op in operations(schema) if op[1].startswith("/v1/")]
    assert len(v1) > 25
    for method, path, operation in v1:
        assert operation.get("security") == [{"bearerAuth": []}], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)
        assert "Authorization" not in {p["name"] for p in operation.get("parameters", [])}
        if method == "POST":
            assert "422" in operation["responses"], (method, path)
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert set(response["content"]) == {PROBLEM}, (method, path, status)


def test_the_edge_and_the_routes_agree_on_which_paths_need_a_key() -> None:
    app = create_app(settings=CommonSettings(), services=SERVICES)
    for route in api_routes(app):
        assert needs_key(route) == route.path.startswith(("/v1/", "/metrics")), route.path


async def test_metrics_need_a_key_with_the_metrics_role(tmp_path: Path) -> None:
    keys = [
        ApiKeySetting(
            key=SecretStr("scraper"), client="prometheus", regions=[""], roles=["metrics"]
        ),
        ApiKeySetting(key=SecretStr("reader"), client="county", regions=[""], roles=["reader"]),
    ]
    settings = embedded_settings(tmp_path, api_keys=keys)
    async with running_app(settings, [INTAKE]) as client:
        transport = httpx.ASGITransport(app=client.app)  # type: ignore[attr-defined]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as bare:
            anonymous = await bare.get("/metrics")
            reader = await bare.get("/metrics", headers={"Authorization": "Bearer reader"})
            scraper = await bare.get("/metrics", headers={"Authorization": "Bearer scraper"})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)
    assert reader.status_code == 403
    assert scraper.status_code == 200 and "fq_http_requests_total" in scraper.text
