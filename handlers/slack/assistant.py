"""Slack's AI-assistant panel (assistant threads): starter prompts for the student's phase, grounded answers.

Bolt's Assistant middleware also routes threaded replies in the advisor's DM here, so students who reply
in a thread get their answer in that thread, in workspaces with or without the panel.
"""

from __future__ import annotations

from slack_bolt import App, Assistant, Say, SetStatus, SetSuggestedPrompts
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.alumni import handled_in_dm
from handlers.slack.common import is_from_a_person, post_answer, student

MAX_PROMPTS = 4


def register(app: App, core: AdvisorCore) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def greet(payload: dict, say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        who = student(payload["assistant_thread"]["user_id"])
        say(core.copy.greeting)
        prompts = core.quick_questions(core.context(who))[:MAX_PROMPTS]
        set_suggested_prompts(prompts=[{"title": prompt, "message": prompt} for prompt in prompts])

    @assistant.user_message
    def answer_in_thread(payload: dict, body: dict, set_status: SetStatus, client: WebClient) -> None:
        if not is_from_a_person(payload):
            return
        if handled_in_dm(core, client, payload, body.get("event_id")):
            return
        set_status("is looking that up…")
        answer = core.answer(student(payload["user"]), payload.get("text") or "")
        post_answer(core, client, payload["channel"], answer, payload["thread_ts"], body.get("event_id"))

    app.assistant(assistant)
