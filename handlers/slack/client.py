"""The Slack Web API client: the configured base URL and bounded retries on 429, 5xx and dropped connections."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import RandomJitter

from bot.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
CONNECTION_RETRIES = 2
BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())


class AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """slack_sdk retries only 500 and 503; a 502 or 504 from a proxy in front of Slack is just as passing."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and 500 <= response.status_code < 600


def web_client(settings: Settings, retry_rate_limits: bool = True, retry_server_errors: bool = True) -> WebClient:
    """`retry_rate_limits=False` for the senders whose pacer handles 429s for all their threads at once;
    `retry_server_errors=False` for the outbox, which retries on its own and must keep each call short."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES, interval_calculator=BACKOFF)]
    if retry_server_errors:
        handlers.insert(0, AnyServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES,
                                                      interval_calculator=BACKOFF))
    if retry_rate_limits:
        handlers.insert(0, RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or DEFAULT_API_URL, timeout=10,
                     retry_handlers=handlers)
