"""Buttons: suggestions and follow-ups, quick questions, votes, "Ask a person" and the profile settings."""

from __future__ import annotations

import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.blocks import (
    ASK_PERSON_ACTION,
    ENTRY_ACTION,
    OPEN_PROFILE_ACTION,
    QUICK_ACTION,
    VOTE_HELPFUL,
    VOTE_NOT_HELPFUL,
    context_block,
    escape,
    notice,
)
from handlers.slack.common import post_answer, publish_home, student
from handlers.slack.surfaces import FORGET_PROFILE_ACTION, profile_modal

VOTE_THANKS = {True: "Thanks! Marked as helpful.", False: "Thanks: the curators will look at this answer."}


def _where(body: dict) -> tuple[str, str | None]:
    """Where to answer a button: its conversation and thread, or the student's DM for App Home buttons."""
    channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
    message = body.get("message") or {}
    return channel, message.get("thread_ts")


def register(app: App, core: AdvisorCore) -> None:
    @app.action(re.compile(f"^{ENTRY_ACTION}_\\d+$"))
    def open_entry(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        answer = core.answer_entry(action.get("value", ""))
        if answer is None:
            respond(response_type="ephemeral", replace_original=False,
                    **notice("That answer is no longer available: please ask your question again."))
            return
        channel, thread_ts = _where(body)
        post_answer(core, client, channel, answer, thread_ts)

    @app.action(re.compile(f"^{QUICK_ACTION}_\\d+$"))
    def ask_quick_question(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        channel, thread_ts = _where(body)
        post_answer(core, client, channel, core.answer(student(body["user"]["id"]), action.get("value", "")),
                    thread_ts)

    @app.action(VOTE_HELPFUL)
    @app.action(VOTE_NOT_HELPFUL)
    def vote(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        helpful = action["action_id"] == VOTE_HELPFUL
        container = body.get("container") or {}
        message_ref = (container.get("channel_id", ""), container.get("message_ts") or body.get("action_ts", ""))
        core.vote(student(body["user"]["id"]), message_ref, action.get("value", ""), helpful)
        message = body.get("message")
        if message and message.get("blocks"):
            blocks = [context_block(VOTE_THANKS[helpful]) if block.get("block_id") == "vote" else block
                      for block in message["blocks"]]
            respond(replace_original=True, text=message.get("text", ""), blocks=blocks)
        else:
            respond(response_type="ephemeral", replace_original=False, **notice(VOTE_THANKS[helpful]))

    @app.action(ASK_PERSON_ACTION)
    def ask_a_person(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        channel, thread_ts = _where(body)
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **notice(escape(core.copy.ask_a_person)))

    @app.action(OPEN_PROFILE_ACTION)
    def open_profile(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        who = student(body["user"]["id"])
        client.views_open(trigger_id=body["trigger_id"], view=profile_modal(core, core.profile(who)))

    @app.action(FORGET_PROFILE_ACTION)
    def forget_profile(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        core.forget_profile(student(body["user"]["id"]))
        publish_home(core, client, body["user"]["id"])
