"""One delivery's attempts: send, and on a retryable failure retry with tenacity.

Exponential backoff with jitter up to a cap, within what is left of the total retry time;
every attempt sends the same message with the same idempotency key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

from services.notify.channels.base import Channel, DeliveryError, Message, Receipt
from services.notify.config import NotifySettings
from shared.events.envelope import utc_now


def retryable(exc: BaseException) -> bool:
    return isinstance(exc, DeliveryError) and not exc.permanent


@dataclass
class Attempts:
    """Attempts made so far (the ones of earlier holders included)."""

    count: int


async def send_with_retries(
    channel: Channel,
    message: Message,
    *,
    attempts: Attempts,
    settings: NotifySettings,
    first_attempt_at: datetime,
    before_sleep: Callable[[RetryCallState], Awaitable[None]],
) -> Receipt:
    """The receipt of the attempt that succeeded; the last ``DeliveryError`` when none did.

    The retries get what is left of ``retry_total_seconds`` since the first attempt of the
    delivery (``first_attempt_at``, possibly an earlier holder's)."""
    attempts.count += 1
    try:
        return await channel.send(message)
    except DeliveryError as exc:
        if not retryable(exc):
            raise
        pending: DeliveryError | None = exc
    # Retrying starts only once the first attempt failed: setting tenacity up costs more
    # than most deliveries do. Tenacity counts that attempt too.
    receipt = Receipt()
    elapsed = (utc_now() - first_attempt_at).total_seconds()
    async for attempt_state in _retrying(settings, elapsed=elapsed, before_sleep=before_sleep):
        with attempt_state:
            if pending is not None:
                failure, pending = pending, None
                raise failure
            attempts.count += 1
            receipt = await channel.send(message)
    return receipt


def _retrying(
    settings: NotifySettings,
    *,
    elapsed: float,
    before_sleep: Callable[[RetryCallState], Awaitable[None]],
) -> AsyncRetrying:
    return AsyncRetrying(
        stop=stop_after_delay(max(settings.retry_total_seconds - elapsed, 0.0)),
        wait=wait_exponential_jitter(
            multiplier=settings.retry_initial_seconds,
            max=settings.retry_max_seconds,
            jitter=settings.retry_initial_seconds,
        ),
        retry=retry_if_exception(retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
