"""Direct messages: a student's question in the advisor's DM gets an answer in the same conversation."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.common import is_from_a_person, post_answer, student


def register(app: App, core: AdvisorCore) -> None:
    @app.event("message")
    def answer_direct_message(event: dict, body: dict, client: WebClient) -> None:
        if event.get("channel_type") != "im" or not is_from_a_person(event):
            return
        answer = core.answer(student(event["user"]), event.get("text") or "", event["channel"], event.get("thread_ts"))
        post_answer(core, client, event["channel"], answer, event.get("thread_ts"), body.get("event_id"))
