"""Signing in to the web console: a session cookie in place of the key, guarded against CSRF.

The cookie is HttpOnly and SameSite=Strict (Secure behind TLS) and never holds the key; with
it, ``/v1`` answers as it answers the key itself (roles, regions, masking); a change needs
the session's CSRF token; after signing out the cookie opens nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.all_in_one import SERVICES
from services.console.routes import RELEASE
from shared.api.session import COOKIE
from tests.integration.api_client import (
    HANDLER_KEY,
    NO_PII_KEY,
    api_keys_for_tests,
    embedded_settings,
    running_app,
)
from tests.integration.test_escalation_service import case_when
from tests.integration.test_intake_api import MY_TOWNSHIP, report

NO_KEY = {"Authorization": ""}


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    keys = api_keys_for_tests(township_region=MY_TOWNSHIP.code[:9])
    async with running_app(embedded_settings(tmp_path, api_keys=keys), SERVICES) as client:
        yield client


async def sign_in(api: httpx.AsyncClient, key: str) -> tuple[dict[str, str], str]:
    """The headers a browser sends after signing in with ``key`` (its cookie), and the token."""
    answer = await api.post("/console/session", json={"key": key}, headers=NO_KEY)
    assert answer.status_code == 201, answer.text
    api.cookies.clear()
    cookie = answer.cookies[COOKIE]
    return {**NO_KEY, "Cookie": f"{COOKIE}={cookie}"}, answer.json()["csrf"]


async def test_the_cookie_is_httponly_strict_expiring_and_holds_no_key(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.post("/console/session", json={"key": HANDLER_KEY}, headers=NO_KEY)
    set_cookie = answer.headers["set-cookie"]
    assert answer.status_code == 201
    assert HANDLER_KEY not in set_cookie
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=28800"):
        assert attribute in set_cookie, set_cookie
    assert "Secure" not in set_cookie
    assert answer.json()["client"] == "village-handler"
    assert answer.json()["roles"] == ["handler", "reader"]

    behind_tls = await api.post(
        "https://testserver/console/session", json={"key": HANDLER_KEY}, headers=NO_KEY
    )
    assert "Secure" in behind_tls.headers["set-cookie"]


async def test_an_unknown_key_opens_no_session(api: httpx.AsyncClient) -> None:
    answer = await api.post("/console/session", json={"key": "guess"}, headers=NO_KEY)
    assert answer.status_code == 401
    assert "set-cookie" not in answer.headers
    assert (await api.get("/console/session", headers=NO_KEY)).status_code == 401


async def test_the_session_reads_and_acts_as_its_key_and_changes_need_the_token(
    api: httpx.AsyncClient,
) -> None:
    case_id = (await api.post("/v1/cases", json=report())).json()["id"]
    await case_when(api, case_id, lambda c: c["order_id"] is not None)
    browser, csrf = await sign_in(api, HANDLER_KEY)

    seen = (await api.get(f"/v1/cases/{case_id}", headers=browser)).json()
    assert seen["parties"][0]["phone"] == "170****5678"  # masked: the key has no pii role

    ack = f"/v1/cases/{case_id}/acknowledgement"
    without = await api.post(ack, headers=browser)
    assert without.status_code == 403 and without.json()["type"].endswith(":csrf")
    wrong = await api.post(ack, headers={**browser, "X-CSRF-Token": csrf[:-1] + "x"})
    assert wrong.status_code == 403
    assert (await api.post(ack, headers={**browser, "X-CSRF-Token": csrf})).status_code == 201


async def test_a_session_cannot_do_what_its_key_may_not(api: httpx.AsyncClient) -> None:
    case_id = (await api.post("/v1/cases", json=report())).json()["id"]
    await case_when(api, case_id, lambda c: c["order_id"] is not None)
    browser, csrf = await sign_in(api, NO_PII_KEY)  # reader and reporter, no handler

    answer = await api.post(
        f"/v1/cases/{case_id}/acknowledgement", headers={**browser, "X-CSRF-Token": csrf}
    )
    assert answer.status_code == 403 and answer.json()["required_role"] == "handler"


async def test_after_signing_out_the_cookie_opens_nothing(api: httpx.AsyncClient) -> None:
    browser, csrf = await sign_in(api, HANDLER_KEY)
    assert (await api.get("/v1/cases", headers=browser)).status_code == 200
    refused = await api.delete("/console/session", headers=browser)
    assert refused.status_code == 403  # signing out is a change: it needs the token too

    out = await api.delete("/console/session", headers={**browser, "X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert 'fq_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    api.cookies.clear()
    assert (await api.get("/v1/cases", headers={**NO_KEY, "Cookie": "other=1"})).status_code == 401


async def test_the_console_page_and_its_assets_come_from_the_host(api: httpx.AsyncClient) -> None:
    page = await api.get("/console/", headers=NO_KEY)
    assert page.status_code == 200 and "综治中心工作台" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = await api.get("/console/static/console.js", headers=NO_KEY)
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    again = {**NO_KEY, "If-None-Match": script.headers["etag"]}
    assert (await api.get("/console/static/console.js", headers=again)).status_code == 304
    named = f"/console/static/{RELEASE}/console.js"  # as the page names it: kept for good
    assert f'src="{named}"' in page.text
    kept = await api.get(named, headers=NO_KEY)
    assert kept.content == script.content and "immutable" in kept.headers["cache-control"]
    assert (
        await api.get("/console/static/0123456789ab/console.js", headers=NO_KEY)
    ).status_code == 404
    assert (await api.get("/console/static/secret.py", headers=NO_KEY)).status_code == 404
    assert (await api.get("/console/static/..%2Froutes.py", headers=NO_KEY)).status_code == 404
    root = await api.get("/", headers=NO_KEY)
    assert root.status_code == 307 and root.headers["location"] == "/console/"
