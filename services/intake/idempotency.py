"""A report's ``Idempotency-Key`` header: read and checked in the route, documented as a header.

FastAPI solving a declared header parameter (its aliases, whether it is a sequence, its
validation) cost a report about as much as everything else it solves; the route reads the
header itself, checks it with the same rule, answers the same 422 naming the header, and
the OpenAPI document shows the same parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import StringConstraints, TypeAdapter, ValidationError

from shared.config import IDEMPOTENCY_KEY_MAX

HEADER = "Idempotency-Key"
DESCRIPTION = "Makes a retry safe: 1 to 128 visible ASCII characters"
PATTERN = r"^[!-~]+$"

_KEY: TypeAdapter[str] = TypeAdapter(
    Annotated[str, StringConstraints(min_length=1, max_length=IDEMPOTENCY_KEY_MAX, pattern=PATTERN)]
)

DOCUMENTED: dict[str, Any] = {
    "parameters": [
        {
            "description": DESCRIPTION,
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {
                "anyOf": [
                    {
                        "maxLength": IDEMPOTENCY_KEY_MAX,
                        "minLength": 1,
                        "pattern": PATTERN,
                        "type": "string",
                    },
                    {"type": "null"},
                ],
                "description": DESCRIPTION,
                "title": HEADER,
            },
        }
    ]
}
"""The header as the route's OpenAPI operation shows it (``openapi_extra``)."""


def _checked(request: Request) -> tuple[str | None, list[dict[str, Any]]]:
    """The header's value (None without one) and what is wrong with it, as FastAPI lists a
    header parameter's errors."""
    value = request.headers.get(HEADER)
    if value is None:
        return None, []
    try:
        return _KEY.validate_python(value), []
    except ValidationError as invalid:
        errors = invalid.errors(include_url=False)
        return None, [{**error, "loc": ("header", HEADER, *error["loc"])} for error in errors]


def idempotency_key_of(request: Request) -> str | None:
    """The header's value, or None without one; a 422 naming the header when it breaks the
    rule (1 to ``IDEMPOTENCY_KEY_MAX`` visible ASCII characters)."""
    value, errors = _checked(request)
    if errors:
        raise RequestValidationError(errors)
    return value


class KeyedRoute(APIRoute):
    """A route reading the header itself: a 422 about its body names a bad header too, first,
    as it did when FastAPI checked a declared header parameter beside the body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def listing_the_header(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as invalid:
                listed = list(invalid.errors())
                if any(error["loc"][:2] == ("header", HEADER) for error in listed):
                    raise
                _, errors = _checked(request)
                if not errors:
                    raise
                raise RequestValidationError(errors + listed, body=invalid.body) from invalid

        return listing_the_header
