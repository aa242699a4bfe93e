"""The OpenAPI document as a client needs it: the bearer key and every error as problem+json.

Walked once from the app's own routes, so a new route is documented the same way without
anyone writing it down: an operation that needs a key (its dependencies reach one of
``KEYED`` in shared/api/deps.py) carries the ``bearerAuth`` security requirement and answers
401, 403 and 404 (a case or unit it names may be unknown or outside the caller's
regions); one with parameters or a body 422; one with a query 400 (a bad cursor); one
with a body 400 (not JSON text) and 413; a command (not GET) 409 and 503. Every error
response has the media type ``application/problem+json`` and the ``Problem`` schema.

Its pages (``/docs``, ``/redoc``) load nothing from the internet: a government intranet has
none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts

from shared.api.deps import KEYED
from shared.api.problems import PROBLEM_MEDIA_TYPE

SCHEME = "bearerAuth"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "urn:fengqiao:problem:<slug>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Validation errors, at most 20 (errors_not_listed counts the rest)",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "errors_not_listed": {"type": "integer"},
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    400: "A body that is not JSON text, or a query value that cannot be used (a bad cursor)",
    401: "No key, or an unknown one",
    403: "The key lacks the role this operation needs",
    404: "Not found, or outside the caller's regions (a case, or a unit named anywhere)",
    409: "Refused in the case's present state, or the case changed meanwhile",
    413: "The request body is larger than the limit",
    422: "The request is not valid",
    503: "The event log or database did not answer in time; retry",
}


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of the app, those of included routers too (as they are mounted)."""
    return [
        cast(APIRoute, context)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def needs_key(route: APIRoute) -> bool:
    return any(d.call in KEYED for d in _dependants(route.dependant))


def error_statuses(route: APIRoute, method: str) -> set[int]:
    """The error statuses an operation can answer, from what it takes."""
    dependants = list(_dependants(route.dependant))
    params = [
        p
        for d in dependants
        for p in d.query_params + d.header_params
        if getattr(p.field_info, "include_in_schema", True)
    ]
    body = route.body_field is not None
    statuses: set[int] = set()
    if needs_key(route):
        statuses |= {401, 403, 404}
    if any(d.path_params for d in dependants):
        statuses |= {404, 422}
    if params or body:
        statuses.add(422)
    if any(d.query_params for d in dependants):
        statuses.add(400)
    if body:
        statuses |= {400, 413}
    if method != "get":
        statuses |= {409, 503}
    return statuses


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _document(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in error_statuses(route, method):
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    for code, response in responses.items():
        if code[0] in "45":
            described = response.get("description") or DESCRIPTIONS.get(int(code), "Error")
            responses[code] = _problem_response(described)
    if needs_key(route):
        operation["security"] = [{SCHEME: []}]


def document_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` replaced: the generated document, then the pass described above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        for route in api_routes(app):
            if not route.include_in_schema:
                continue
            for method in route.methods or ():
                operation = schema["paths"][route.path_format].get(method.lower())
                if operation is not None:
                    _document(operation, route, method.lower())
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = PROBLEM_SCHEMA
        components["securitySchemes"] = {
            SCHEME: {"type": "http", "scheme": "bearer", "description": "An API key"}
        }
        app.openapi_schema = schema
        return schema

    return openapi


OFFLINE_DOCS = "/static-offline-docs"
"""Where fastapi-offline serves Swagger UI's and ReDoc's files (no CDN)."""
ONLY_THIS_HOST = "default-src 'self' 'unsafe-inline' data: blob:"


def install_redoc(app: FastAPI) -> None:
    """``/redoc`` from this host's files; its policy keeps ReDoc's footer logo (fetched from
    its CDN) from leaving the host."""

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{OFFLINE_DOCS}/redoc.standalone.js",
            redoc_favicon_url=f"{OFFLINE_DOCS}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = ONLY_THIS_HOST
        return page
