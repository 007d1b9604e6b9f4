"""Direct messages: a question gets an answer in the same conversation; requests for an alum and replies
about a request go to handlers/slack/alumni.py first. The answer is worked out after the acknowledgement."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.alumni import handled_in_dm
from handlers.slack.common import event_place, is_from_a_person, post_answer, student
from handlers.slack.markdown import plain_text
from handlers.slack.work import ListenerWork


def answer_in_dm(core: AdvisorCore, client: WebClient, event: dict, body: dict,
                 thinking: Callable[[], None] | None = None) -> None:
    """A person's DM (or a reply in one of its threads): about a request, or a question to answer (after
    `thinking()`, the assistant panel's status line)."""
    if handled_in_dm(core, client, event, body):
        return
    if thinking:
        thinking()
    answer = core.answer(student(event["user"]), plain_text(event.get("text") or ""), event["channel"],
                         event.get("thread_ts"))
    post_answer(core, client, event_place(body), answer)


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.event("message")
    def answer_direct_message(event: dict, body: dict, client: WebClient) -> None:
        if event.get("channel_type") == "im" and is_from_a_person(event):
            work.after_ack(body, lambda: answer_in_dm(core, client, event, body))
