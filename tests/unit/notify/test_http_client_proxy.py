"""Deliveries go through the proxy the environment names (``HTTP_PROXY``), and straight to
the receiver for hosts in ``NO_PROXY``: the channels' client looks the proxy up once per
receiver, not per request."""

from __future__ import annotations

import aiohttp
import pytest

from services.notify.http_client import HttpClient
from services.sandbox.receiver import Receiver

FAR_AWAY = "http://receiver.invalid:9/hooks/unit"
"""A receiver only the proxy can reach (``.invalid`` never resolves)."""


async def post(client: HttpClient, url: str, key: str) -> int:
    return await client.post(
        url, content=b"{}", headers={"Content-Type": "application/json", "Idempotency-Key": key}
    )


async def test_a_receiver_is_reached_through_the_environments_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = await Receiver().start()  # answers the proxied request itself
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        async with HttpClient(timeout_seconds=5, connections=4) as client:
            codes = [await post(client, FAR_AWAY, f"k{n}") for n in range(3)]
        assert codes == [200, 200, 200]
        assert set(proxy.unique("/hooks/")) == {"k0", "k1", "k2"}
    finally:
        await proxy.stop()


async def test_a_host_in_no_proxy_is_not_sent_through_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = await Receiver().start()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "receiver.invalid")
    try:
        async with HttpClient(timeout_seconds=5, connections=4) as client:
            with pytest.raises(aiohttp.ClientError):
                await post(client, FAR_AWAY, "direct")
        assert proxy.unique() == {}
    finally:
        await proxy.stop()
