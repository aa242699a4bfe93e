"""HMAC-SHA256 signatures over timestamp and body, so a receiver can trust a callback.

The receiver recomputes ``hex(HMAC_SHA256(secret, f"{timestamp}.{body}"))`` and compares
it with ``X-Fengqiao-Signature`` (prefixed ``sha256=``); it should also refuse a timestamp
far from its own clock, which stops replays.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Fengqiao-Timestamp"
SIGNATURE_HEADER = "X-Fengqiao-Signature"


def signature(secret: bytes, *, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: bytes, *, timestamp: str, body: bytes) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp=timestamp, body=body),
    }


def verify(secret: bytes, *, timestamp: str, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp=timestamp, body=body), given)
