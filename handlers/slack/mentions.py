"""@mentions in channels: answered in a thread under the mention, so the channel stays readable."""

from __future__ import annotations

import re

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.common import event_place, is_from_a_person, post_answer, student
from handlers.slack.markdown import plain_text
from handlers.slack.work import ListenerWork

MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    def answer(event: dict, body: dict, client: WebClient) -> None:
        question = plain_text(MENTION.sub(" ", event.get("text") or ""))
        post_answer(core, client, event_place(body), core.answer(student(event["user"]), question))

    @app.event("app_mention")
    def answer_mention(event: dict, body: dict, client: WebClient) -> None:
        if is_from_a_person(event):
            work.after_ack(body, lambda: answer(event, body, client))
