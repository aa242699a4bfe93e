"""SMS through a generic HTTP gateway: a template id and short parameters, no personal data.

The gateway receives ``{"phone", "sign_name", "template_id", "params", "request_id"}`` with
the API key as a bearer token; ``request_id`` (and the ``Idempotency-Key`` header) is stable
across retries so the gateway sends one text per delivery.
"""

from __future__ import annotations

import orjson

from services.notify.channels.base import DeliveryError, Message, Receipt, post_json
from services.notify.http_client import HttpClient
from services.notify.message import SMS


class SmsChannel:
    name = SMS

    def __init__(self, *, client: HttpClient, url: str, api_key: str, sign_name: str) -> None:
        self._client = client
        self._url = url
        self._api_key = api_key
        self._sign_name = sign_name

    async def send(self, message: Message) -> Receipt:
        if not message.phone or not message.sms_template:
            raise DeliveryError("no phone number or SMS template for this notice", permanent=True)
        body = orjson.dumps(
            {
                "phone": message.phone,
                "sign_name": self._sign_name,
                "template_id": message.sms_template,
                "params": message.sms_params,
                "request_id": message.delivery_id,
            }
        )
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Idempotency-Key": message.delivery_id,
        }
        return await post_json(self._client, self._url, content=body, headers=headers)
