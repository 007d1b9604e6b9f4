"""The Slack adapter: a Bolt app whose feature modules translate Slack events to core calls and back.

Bolt answers Slack only when a listener returns (process_before_response): listeners decide, commit and
acknowledge, and hand everything that calls Slack to ListenerWork, so an acknowledgement never waits for
Slack. The signature and the payload's shape are checked before Bolt sees a request (handlers/slack/http.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from config.settings import Settings
from handlers.slack import actions, alumni, assistant, commands, home, mentions, messages, nudges, reliability, views
from handlers.slack.client import web_client
from handlers.slack.work import ListenerWork

WORK_THREADS = 8  # measured: more threads slow the acknowledgements (GIL) without faster replies
FEATURES = (reliability, assistant, alumni, messages, mentions, commands, home, actions, nudges, views)


@dataclass
class SlackBot:
    app: App
    work: ListenerWork


def build_app(settings: Settings, core: AdvisorCore) -> SlackBot:
    """The Bolt app for either mode; the dedupe middleware (reliability) is registered first. Requests reach
    it verified (HTTP: handlers/slack/http.py; Socket Mode: Slack's own connection), so Bolt does not verify."""
    client = web_client(settings)
    work = ListenerWork(core, client, WORK_THREADS)
    app = App(client=client, request_verification_enabled=False, process_before_response=True,
              listener_executor=work.pool)
    for feature in FEATURES:
        feature.register(app, core, work)
    if settings.alumni_liaison_channel:
        core.requests.liaisons.use_members(channel_members(app.client, settings.alumni_liaison_channel))
    return SlackBot(app, work)


def channel_members(client: WebClient, channel: str) -> Callable[[], frozenset[str]]:
    """Who is in the liaison channel, for deciding who may act on request cards (LIAISON_USER_IDS unset)."""

    def members() -> frozenset[str]:
        found: set[str] = set()
        for page in client.conversations_members(channel=channel, limit=1000):
            found.update(page.get("members", []))
        return frozenset(found)

    return members
