"""The channel interface: send one message, or say why not (and whether to try again)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from services.notify.http_client import HttpClient


@dataclass(frozen=True)
class Message:
    """One delivery, ready to send. ``delivery_id`` is the receiver's idempotency key."""

    delivery_id: str
    channel: str
    body: dict[str, Any]
    """The JSON document a webhook or the 12345 platform receives."""
    phone: str | None = None
    webhook_url: str | None = None
    sms_template: str | None = None
    sms_params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    status_code: int | None = None


class DeliveryError(Exception):
    """A failed attempt. ``permanent`` ones (the receiver refused) are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    name: str

    async def send(self, message: Message) -> Receipt:
        """Deliver once; raise ``DeliveryError`` when it did not arrive."""
        ...


def check_response(code: int) -> Receipt:
    """2xx is delivered; 408, 429 and 5xx are worth retrying; other refusals are final."""
    if 200 <= code < 300:
        return Receipt(status_code=code)
    retry = code in (408, 425, 429) or code >= 500
    raise DeliveryError(f"receiver answered HTTP {code}", permanent=not retry)


async def post_json(
    client: HttpClient, url: str, *, content: bytes, headers: dict[str, str]
) -> Receipt:
    try:
        code = await client.post(
            url, content=content, headers={"Content-Type": "application/json", **headers}
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DeliveryError(_unreachable(exc)) from exc
    return check_response(code)


def _unreachable(exc: Exception) -> str:
    """Why an attempt did not arrive, named by aiohttp's error."""
    if isinstance(exc, TimeoutError):
        return f"timed out ({type(exc).__name__})"
    return f"could not reach the receiver ({type(exc).__name__})"
