"""Webhook: a signed JSON POST to the recipient's URL, with a stable Idempotency-Key."""

from __future__ import annotations

import time
from collections.abc import Callable

import orjson

from services.notify.channels.base import DeliveryError, Message, Receipt, post_json
from services.notify.http_client import HttpClient
from shared.api.signing import signed_headers


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        *,
        client: HttpClient,
        secret: bytes,
        url_for: Callable[[str], str] = str,
    ) -> None:
        self._client = client
        self._secret = secret
        self._url_for = url_for
        """Where a contact's webhook URL is sent (the sandbox's port in development)."""

    async def send(self, message: Message) -> Receipt:
        if not message.webhook_url:
            raise DeliveryError("the recipient has no webhook URL", permanent=True)
        body = orjson.dumps(message.body)
        headers = {
            "Idempotency-Key": message.delivery_id,
            **signed_headers(self._secret, timestamp=str(int(time.time())), body=body),
        }
        url = self._url_for(message.webhook_url)
        return await post_json(self._client, url, content=body, headers=headers)
