"""Every call the bot makes to the Teams connector, retried only where a retry cannot post twice.

Teams answers 429 when the bot posts too fast (with Retry-After) and 412 when a conversation is briefly
locked by a concurrent write: it did not take the message, so this retries them, a few times with jittered
exponential backoff, as it retries a connection that could not be made. Anything after the request went
out (a 5xx, a dropped connection, a read timeout) leaves its fate unknown; Teams keeps no history a bot can
read, so the sender never retries it and reports a `maybe_sent` DeliveryError: the outbox and the nudge
ledger send it again later (at least once), an answer is retried by recovery. Other 4xx are permanent.

Each attempt is cancelled after ATTEMPT_SECONDS and a whole call, retries included, ends within
CALL_SECONDS: shorter than the outbox's 40 s lease, so no second sender takes a message while the first
call still runs. The SDK's client is asynchronous; everything that sends is a thread (the endpoint's turns,
the outbox, nudges). One event loop of the sender's own, in a daemon thread, runs the calls.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from microsoft_teams.api import ApiClient, Attachment, MessageActivityInput

from handlers.teams.auth import TokenError
from scheduler.after_ack import Stopping
from scheduler.ports import DeliveryError

log = logging.getLogger(__name__)
T = TypeVar("T")

REFUSED_FOR_NOW = frozenset({412, 429})  # Teams did not take it: safe to send again
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
PERMANENT = {400: "Teams rejected the message", 401: "the bot's token was refused",
             403: "the bot may not post there (not installed, or blocked by the user)",
             404: "no such conversation (the app was removed, or the id is wrong)"}
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
ATTEMPT_SECONDS = 10.0
CALL_SECONDS = 30.0  # under the outbox's 40 s lease

def message(text: str, card: dict) -> MessageActivityInput:
    """A message activity: the text (shown in notifications and by clients without cards) and an Adaptive Card."""
    return MessageActivityInput(text=text, attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card)])


class TeamsSender:
    def __init__(self, api: ApiClient, attempts: int = 4, base_delay: float = 0.5, max_delay: float = 8.0,
                 attempt_seconds: float = ATTEMPT_SECONDS, call_seconds: float = CALL_SECONDS):
        self.api = api
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.attempt_seconds = attempt_seconds
        self.call_seconds = call_seconds
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="teams-send", daemon=True).start()
        self.refusing = threading.Event()

    def refuse(self) -> None:
        """The bot is stopping: no new call to Teams starts (what is unfinished goes back to recovery)."""
        self.refusing.set()

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
        """Runs the call, with its retries, on the sender's loop; waits at most `call_seconds`, then cancels it."""
        if self.refusing.is_set():
            raise Stopping("the bot is stopping")
        future = asyncio.run_coroutine_threadsafe(self._with_retries(call), self._loop)
        try:
            return future.result(timeout=self.call_seconds + 1)
        except concurrent.futures.TimeoutError as error:
            future.cancel()
            raise DeliveryError("Teams did not answer in time", permanent=False, maybe_sent=True) from error

    async def _with_retries(self, call: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.call_seconds
        for attempt in range(1, self.attempts + 1):
            left = deadline - time.monotonic()
            try:
                return await asyncio.wait_for(call(), timeout=min(self.attempt_seconds, left))
            except httpx.HTTPStatusError as error:
                status = error.response.status_code
                if status >= 500:
                    raise DeliveryError(f"Teams answered {status}", permanent=False, maybe_sent=True) from error
                if status not in REFUSED_FOR_NOW:
                    raise DeliveryError(PERMANENT.get(status, f"Teams answered {status}"), permanent=True) from error
                delay = self._delay(attempt, error.response.headers.get("retry-after"))
                if attempt == self.attempts or delay >= deadline - time.monotonic():
                    raise DeliveryError(f"Teams answered {status} {attempt} times", permanent=False) from error
                log.info("teams: %d from the connector; retrying in %.2f s (attempt %d of %d)", status, delay,
                         attempt, self.attempts)
            except NEVER_SENT as error:
                delay = self._delay(attempt, None)
                if attempt == self.attempts or delay >= deadline - time.monotonic():
                    raise DeliveryError(f"cannot reach Teams: {type(error).__name__}", permanent=False) from error
            except TokenError as error:  # nothing was sent; a setup problem the operator must fix
                raise DeliveryError(str(error), permanent=False) from error
            except (httpx.TransportError, TimeoutError) as error:  # sent, and the answer lost
                raise DeliveryError(f"Teams' answer was lost: {type(error).__name__}", permanent=False,
                                    maybe_sent=True) from error
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Retry-After when Teams gives one (capped), else full-jitter exponential backoff."""
        if retry_after:
            try:
                return min(float(retry_after), self.max_delay)
            except ValueError:
                pass
        return random.uniform(self.base_delay / 2, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
