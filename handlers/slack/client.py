"""The Slack Web API client: the configured base URL, and retries only where a retry cannot post twice.

Reads and updates in place are retried on 429, 5xx and dropped connections (slack_sdk's retry handlers).
A call that creates a message (`chat.postMessage` and its kin) is retried by the client only when Slack
certainly did not take it: a 429, or a connection refused before anything was sent. After a 5xx, a reset
or a timeout the post may have landed, so the client gives up and the caller looks it up by its metadata
before posting again (handlers/slack/delivery.py).
"""

from __future__ import annotations

import socket
import threading
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import RandomJitter

from config.settings import Settings
from scheduler.after_ack import Stopping

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
CONNECTION_RETRIES = 2
BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())
POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage"})


def posts_a_message(request: HttpRequest) -> bool:
    return urlsplit(request.url).path.rsplit("/", 1)[-1] in POSTING_METHODS


def never_sent(error: Exception | None) -> bool:
    """A failure that happened before the request left: the connection was refused, or the host not found."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))


class AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """slack_sdk retries only 500 and 503; a 502 or 504 from a proxy in front of Slack is just as passing.
    Never for a post: after a 5xx it may have landed."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and 500 <= response.status_code < 600 and not posts_a_message(request)


class IdempotentConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """Dropped connections are retried for reads and updates; for a post only when nothing was sent."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return not posts_a_message(request) or never_sent(error)


class StoppableWebClient(WebClient):
    """A WebClient that starts no call once `refuse()` was called: after a shutdown's grace period nothing
    new reaches Slack, so what is unfinished is handed back whole (and looked up on recovery)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusing = threading.Event()

    def refuse(self) -> None:
        self.refusing.set()

    def api_call(self, *args, **kwargs):
        if self.refusing.is_set():
            raise Stopping("the bot is stopping")
        return super().api_call(*args, **kwargs)


def web_client(settings: Settings, retry_rate_limits: bool = True,
               retry_server_errors: bool = True) -> StoppableWebClient:
    """`retry_rate_limits=False` for the senders whose pacer handles 429s for all their threads at once;
    `retry_server_errors=False` for the outbox, which retries on its own and must keep each call short."""
    handlers: list[RetryHandler] = [IdempotentConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES,
                                                                          interval_calculator=BACKOFF)]
    if retry_server_errors:
        handlers.insert(0, AnyServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES,
                                                      interval_calculator=BACKOFF))
    if retry_rate_limits:
        handlers.insert(0, RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return StoppableWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or DEFAULT_API_URL,
                              timeout=settings.slack_api_timeout_seconds, retry_handlers=handlers)
