"""Checks schemathesis adds to its own (loaded through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

from typing import Any

import schemathesis

PROBLEM = "application/problem+json"


@schemathesis.check
def problem_json_on_errors(ctx: Any, response: Any, case: Any) -> None:
    """Every error answer is RFC 9457 problem+json with the members a client relies on."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type") or response.headers.get("Content-Type")
    if isinstance(content_type, list):
        content_type = content_type[0]
    assert content_type and content_type.startswith(PROBLEM), (
        f"{response.status_code} answered as {content_type}"
    )
    body = response.json()
    assert body["status"] == response.status_code and body["type"] and body["title"], body
