"""Slack's AI-assistant panel (assistant threads): starter prompts for the student's phase, grounded answers.

Bolt's Assistant middleware also routes threaded replies in the advisor's DM here, so students who reply
in a thread get their answer in that thread, in workspaces with or without the panel.
"""

from __future__ import annotations

from slack_bolt import App, Assistant, SetStatus, SetSuggestedPrompts
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.blocks import notice
from handlers.slack.common import event_place, is_from_a_person, post_reply, student
from handlers.slack.messages import answer_in_dm
from handlers.slack.work import ListenerWork

MAX_PROMPTS = 4


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    assistant = Assistant()

    def greet(body: dict, client: WebClient, set_suggested_prompts: SetSuggestedPrompts) -> None:
        who = student(body["event"]["assistant_thread"]["user_id"])
        post_reply(client, event_place(body), notice(core.copy.greeting))
        prompts = core.quick_questions(core.context(who))[:MAX_PROMPTS]
        set_suggested_prompts(prompts=[{"title": prompt, "message": prompt} for prompt in prompts])

    @assistant.thread_started
    def thread_started(body: dict, client: WebClient, set_suggested_prompts: SetSuggestedPrompts) -> None:
        work.after_ack(body, lambda: greet(body, client, set_suggested_prompts))

    @assistant.user_message
    def answer_in_thread(payload: dict, body: dict, set_status: SetStatus, client: WebClient) -> None:
        if is_from_a_person(payload):
            work.after_ack(body, lambda: answer_in_dm(core, client, payload, body,
                                                      thinking=lambda: set_status("is looking that up…")))

    app.assistant(assistant)
