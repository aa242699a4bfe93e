"""The channels a deployment delivers on, by name (as contacts name them in the org tree)."""

from __future__ import annotations

from collections.abc import Iterable

from services.notify.channels.base import Channel
from services.notify.channels.hotline import HotlineChannel
from services.notify.channels.sms import SmsChannel
from services.notify.channels.webhook import WebhookChannel
from services.notify.config import NotifySettings
from services.notify.http_client import HttpClient


class UnknownChannel(LookupError):
    pass


class ChannelRegistry:
    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        self._channels: dict[str, Channel] = {}
        for channel in channels:
            self.register(channel)

    def register(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def get(self, name: str) -> Channel:
        try:
            return self._channels[name]
        except KeyError:
            raise UnknownChannel(name) from None

    def names(self) -> frozenset[str]:
        return frozenset(self._channels)


def default_channels(settings: NotifySettings, client: HttpClient) -> ChannelRegistry:
    secret = settings.signing_secret.get_secret_value().encode()
    return ChannelRegistry(
        [
            WebhookChannel(client=client, secret=secret, url_for=settings.to_sandbox),
            SmsChannel(
                client=client,
                url=settings.sms_gateway_url,
                api_key=settings.sms_api_key.get_secret_value(),
                sign_name=settings.sms_sign_name,
            ),
            HotlineChannel(
                client=client,
                url=settings.hotline_callback_url,
                api_key=settings.hotline_api_key.get_secret_value(),
                secret=secret,
            ),
        ]
    )
