"""The 12345 callback: status feedback for a work order (工单), signed, idempotent."""

from __future__ import annotations

import time

import orjson

from services.notify.channels.base import Message, Receipt, post_json
from services.notify.http_client import HttpClient
from shared.api.signing import signed_headers


class HotlineChannel:
    name = "hotline"

    def __init__(self, *, client: HttpClient, url: str, api_key: str, secret: bytes) -> None:
        self._client = client
        self._url = url
        self._api_key = api_key
        self._secret = secret

    async def send(self, message: Message) -> Receipt:
        body = orjson.dumps(message.body)
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Idempotency-Key": message.delivery_id,
            **signed_headers(self._secret, timestamp=str(int(time.time())), body=body),
        }
        return await post_json(self._client, self._url, content=body, headers=headers)
