"""The Slack adapter: a Bolt app whose feature modules translate Slack events to core calls and back."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from bot.settings import Settings
from handlers.slack import actions, alumni, assistant, commands, home, mentions, messages, nudges, reliability, views
from handlers.slack.client import web_client

LISTENER_THREADS = 8  # measured: more threads slow the acknowledgements (GIL) without faster replies
FEATURES = (reliability, assistant, alumni, messages, mentions, commands, home, actions, nudges, views)


def build_app(settings: Settings, core: AdvisorCore) -> App:
    """The Bolt app for either mode; the dedupe middleware (reliability) is registered first."""
    http_mode = settings.slack_mode == "http"
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret if http_mode else None,
        request_verification_enabled=http_mode,
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack-listener"),
    )
    for feature in FEATURES:
        feature.register(app, core)
    if settings.alumni_liaison_channel:
        core.requests.liaisons.use_members(channel_members(app.client, settings.alumni_liaison_channel))
    return app


def channel_members(client: WebClient, channel: str) -> Callable[[], frozenset[str]]:
    """Who is in the liaison channel, for deciding who may act on request cards (LIAISON_USER_IDS unset)."""

    def members() -> frozenset[str]:
        found: set[str] = set()
        for page in client.conversations_members(channel=channel, limit=1000):
            found.update(page.get("members", []))
        return frozenset(found)

    return members
