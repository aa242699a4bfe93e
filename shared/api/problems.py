"""RFC 9457 problem details for every error the HTTP API returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:fengqiao:problem:"
# A 422 lists at most this many validation errors (and counts the rest), each field name
# and message cut to a bounded length: an answer never grows with a hostile input.
MAX_LISTED_ERRORS = 20
MAX_ERROR_TEXT = 120

log = structlog.get_logger(__name__)


class Problem(Exception):
    """An error a client can act on; ``slug`` names its type, extras become members."""

    def __init__(
        self,
        *,
        status: int,
        slug: str,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extras: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extras = extras


def problem_response(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extras: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extras)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def not_found(what: str) -> Problem:
    return Problem(status=404, slug="not-found", title="Not found", detail=f"{what} was not found")


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 1] + "…"


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return _bounded(".".join(parts) or ".".join(str(part) for part in location))


def listed_errors(raw: Sequence[Any]) -> tuple[list[dict[str, str]], int]:
    """The first ``MAX_LISTED_ERRORS`` validation errors, bounded, and how many were left out."""
    listed = [
        {
            "field": _field_name(tuple(error["loc"])),
            "message": _bounded(str(error["msg"])),
            "type": _bounded(str(error["type"])),
        }
        for error in raw[:MAX_LISTED_ERRORS]
    ]
    return listed, max(len(raw) - MAX_LISTED_ERRORS, 0)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        headers=exc.headers,
        **exc.extras,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors, more = listed_errors(exc.errors())
    fields = ", ".join(sorted({error["field"] for error in errors}))
    detail = f"invalid fields: {fields}" + (f" and {more} more errors" if more else "")
    extras: dict[str, Any] = {"errors_not_listed": more} if more else {}
    return problem_response(
        status=422,
        slug="validation",
        title="The request is not valid",
        detail=detail,
        instance=request.url.path,
        errors=errors,
        **extras,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {
        400: "bad-request",
        401: "unauthorized",
        404: "not-found",
        405: "method-not-allowed",
    }.get(exc.status_code, "http-error")
    return problem_response(
        status=exc.status_code,
        slug=slug,
        title=str(exc.detail) if exc.status_code != 404 else "Not found",
        detail=str(exc.detail),
        instance=request.url.path,
        headers=getattr(exc, "headers", None),
    )


def _where(exc: BaseException) -> str:
    """File and line where an unexpected error was raised (no values: they may hold PII)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled_error", path=request.url.path, error=type(exc).__name__, where=_where(exc))
    return problem_response(
        status=500,
        slug="internal",
        title="Internal error",
        detail="the server failed to handle the request; it was logged",
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)


def version_conflict() -> Problem:
    return Problem(
        status=409,
        slug="version-conflict",
        title="The case changed",
        detail="the case changed while the request was decided; retry",
    )
