"""@mentions in channels: answered in a thread under the mention, so the channel stays readable."""

from __future__ import annotations

import re

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.common import is_from_a_person, post_answer, student

MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")


def register(app: App, core: AdvisorCore) -> None:
    @app.event("app_mention")
    def answer_mention(event: dict, body: dict, client: WebClient) -> None:
        if not is_from_a_person(event):
            return
        question = MENTION.sub(" ", event.get("text") or "")
        answer = core.answer(student(event["user"]), question)
        post_answer(core, client, event["channel"], answer, event.get("thread_ts") or event["ts"], body.get("event_id"))
