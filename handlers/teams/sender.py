"""Every call the bot makes to the Teams connector, retried with backoff when Teams asks for it.

Teams answers 429 when the bot posts too fast (with Retry-After), 412 when a conversation is briefly
locked by a concurrent write, and 502/503/504 when a front end hiccups; the SDK does not retry these,
so this does, a few times with jittered exponential backoff, then reports a passing DeliveryError for
the caller's own retry (the outbox and the nudge ledger keep the message). Other 4xx are permanent.

The SDK's client is asynchronous; everything that sends is a thread (the endpoint's turns, the outbox,
nudges). One event loop of the sender's own, in a daemon thread, runs the calls; the threads wait.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from microsoft_teams.api import ApiClient, Attachment, MessageActivityInput

from scheduler.dispatch import DeliveryError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRIED = frozenset({412, 429, 500, 502, 503, 504})
PERMANENT = {400: "Teams rejected the message", 401: "the bot's token was refused",
             403: "the bot may not post there (not installed, or blocked by the user)",
             404: "no such conversation (the app was removed, or the id is wrong)"}
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CALL_TIMEOUT = 60.0


def message(text: str, card: dict) -> MessageActivityInput:
    """A message activity: the text (shown in notifications and by clients without cards) and an Adaptive Card."""
    return MessageActivityInput(text=text, attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card)])


class TeamsSender:
    def __init__(self, api: ApiClient, attempts: int = 4, base_delay: float = 0.5, max_delay: float = 8.0):
        self.api = api
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="teams-send", daemon=True).start()

    def post(self, conversation_id: str, service_url: str, activity: MessageActivityInput) -> str:
        """Posts and returns the new activity's id; DeliveryError when Teams will not take it."""
        return self._call(lambda: self._create(conversation_id, service_url, activity))

    def update(self, conversation_id: str, activity_id: str, service_url: str, activity: MessageActivityInput) -> None:
        self._call(lambda: self.api.conversations.update_activity(
            conversation_id, activity_id, activity, service_url=service_url))

    async def _create(self, conversation_id: str, service_url: str, activity: MessageActivityInput) -> str:
        sent = await self.api.conversations.create_activity(conversation_id, activity, service_url=service_url)
        return sent.id

    def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """Runs the call, with its retries, on the sender's loop and waits for it."""
        return asyncio.run_coroutine_threadsafe(self._with_retries(call), self._loop).result(timeout=CALL_TIMEOUT)

    async def _with_retries(self, call: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return await call()
            except httpx.HTTPStatusError as error:
                status = error.response.status_code
                if status not in RETRIED:
                    raise DeliveryError(PERMANENT.get(status, f"Teams answered {status}"), permanent=True) from error
                if attempt == self.attempts:
                    raise DeliveryError(f"Teams answered {status} {self.attempts} times", permanent=False) from error
                delay = self._delay(attempt, error.response.headers.get("retry-after"))
                log.info("teams: %d from the connector; retrying in %.2f s (attempt %d of %d)", status, delay,
                         attempt, self.attempts)
                await asyncio.sleep(delay)
            except httpx.TransportError as error:
                if attempt == self.attempts:
                    raise DeliveryError(f"cannot reach Teams: {type(error).__name__}", permanent=False) from error
                await asyncio.sleep(self._delay(attempt, None))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Retry-After when Teams gives one (capped), else full-jitter exponential backoff."""
        if retry_after:
            try:
                return min(float(retry_after), self.max_delay)
            except ValueError:
                pass
        return random.uniform(self.base_delay / 2, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
