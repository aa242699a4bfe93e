"""The console's own routes: its page, its assets, and signing in and out.

Everything the page shows or does goes through ``/v1`` with the session cookie these
routes set (``shared/api/session.py``); nothing here reads a case. The assets are files of
this package, served by the process itself: no request leaves the host, as on a government
intranet cut off from the internet.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from shared.api.problems import Problem, not_found
from shared.api.session import COOKIE, Sessions, cookie_of

STATIC = Path(__file__).parent / "static"
ASSETS = {p.name: p for p in STATIC.iterdir() if p.suffix in (".js", ".css", ".svg")}
ASSET_TAGS = {
    name: f'"{hashlib.sha256(p.read_bytes()).hexdigest()[:32]}"' for name, p in ASSETS.items()
}
"""Each asset's entity tag: asked for without its release, it is revalidated (304)."""
RELEASE = hashlib.sha256("".join(ASSET_TAGS[n] for n in sorted(ASSETS)).encode()).hexdigest()[:12]
"""This set of assets' version. The page names its assets under it, and the modules' own
imports (relative) follow: a browser keeps them for good and asks again only after they
change, when the page names another release."""
PAGE = (
    (STATIC / "index.html").read_text().replace("/console/static/", f"/console/static/{RELEASE}/")
)
SECURITY_HEADERS = {
    # Only this host's own scripts, styles and calls; the page cannot be framed.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(tags=["console"])


class SignIn(BaseModel):
    key: str = Field(min_length=1, max_length=200, description="An API key")


class SessionOut(BaseModel):
    client: str
    roles: list[str]
    regions: list[str]
    csrf: str = Field(description="Send as X-CSRF-Token with every request that changes state")
    expires_at: datetime


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def _answer(sessions: Sessions, cookie: str, expires_at: float | None = None) -> SessionOut:
    principal = sessions.principal(cookie)
    assert principal is not None
    expires = expires_at if expires_at is not None else float(cookie.split(".")[1])
    return SessionOut(
        client=principal.client,
        roles=sorted(principal.roles),
        regions=list(principal.regions),
        csrf=sessions.csrf_of(cookie),
        expires_at=datetime.fromtimestamp(expires, UTC),
    )


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.get("/console/", include_in_schema=False)
async def console_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=SECURITY_HEADERS)


@router.get("/console/static/{release}/{name}", include_in_schema=False)
async def console_release_asset(release: str, name: str) -> FileResponse:
    if release != RELEASE or name not in ASSETS:
        raise not_found(f"asset {release}/{name}")
    kept = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
    return FileResponse(ASSETS[name], headers=kept)


@router.get("/console/static/{name}", include_in_schema=False)
async def console_asset(
    name: str, if_none_match: Annotated[str | None, Header(max_length=200)] = None
) -> Response:
    if name not in ASSETS:
        raise not_found(f"asset {name}")
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache", "ETag": ASSET_TAGS[name]}
    if if_none_match == ASSET_TAGS[name]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return FileResponse(ASSETS[name], headers=headers)


@router.post(
    "/console/session",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionOut,
    summary="Sign in to the web console with an API key (sets an HttpOnly session cookie)",
    responses={401: {"description": "The key is not known"}},
)
async def sign_in(body: SignIn, request: Request, response: Response) -> SessionOut:
    sessions = _sessions(request)
    opened = sessions.open(body.key)
    response.set_cookie(
        COOKIE,
        opened.cookie,
        max_age=sessions.lifetime_seconds,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return _answer(sessions, opened.cookie, opened.expires_at)


@router.get(
    "/console/session",
    response_model=SessionOut,
    summary="Who the console session signs in",
    responses={401: {"description": "No session, or it has expired"}},
)
async def current_session(
    request: Request, cookie: Annotated[str | None, Header(include_in_schema=False)] = None
) -> SessionOut:
    sessions, value = _sessions(request), cookie_of(cookie)
    if value is None:
        raise Problem(
            status=401, slug="unauthorized", title="Authentication required", detail="sign in"
        )
    sessions.authenticate(value, method="GET", csrf=None)
    return _answer(sessions, value)


@router.delete(
    "/console/session",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out of the web console",
    responses={403: {"description": "A live session without its CSRF token"}},
)
async def sign_out(
    request: Request,
    cookie: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_csrf_token: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    value = cookie_of(cookie)
    if value is not None and _sessions(request).principal(value) is not None:
        _sessions(request).authenticate(value, method="DELETE", csrf=x_csrf_token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
