"""Direct messages: a question gets an answer in the same conversation; requests for an alum and replies
about a request go to handlers/slack/alumni.py first."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.alumni import handled_in_dm
from handlers.slack.common import is_from_a_person, post_answer, student


def register(app: App, core: AdvisorCore) -> None:
    @app.event("message")
    def answer_direct_message(event: dict, body: dict, client: WebClient) -> None:
        if event.get("channel_type") != "im" or not is_from_a_person(event):
            return
        if handled_in_dm(core, client, event, body.get("event_id")):
            return
        answer = core.answer(student(event["user"]), event.get("text") or "", event["channel"], event.get("thread_ts"))
        post_answer(core, client, event["channel"], answer, event.get("thread_ts"), body.get("event_id"))
