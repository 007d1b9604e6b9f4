"""The App Home tab: the student's phase, what is coming up, quick questions and settings."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.common import publish_home
from handlers.slack.work import ListenerWork


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.event("app_home_opened")
    def show_home(event: dict, body: dict, client: WebClient) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            work.after_ack(body, lambda: publish_home(core, client, event["user"]))
