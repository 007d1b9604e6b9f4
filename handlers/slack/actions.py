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
    notice,
)
from handlers.slack.common import interaction_place, post_answer, post_reply, publish_home, student
from handlers.slack.markdown import mrkdwn
from handlers.slack.surfaces import FORGET_PROFILE_ACTION, profile_modal
from handlers.slack.work import ListenerWork


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.action(re.compile(f"^{ENTRY_ACTION}_\\d+$"))
    def open_entry(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()

        who = student(body["user"]["id"])

        def answer() -> None:
            found = core.answer_entry(action.get("value") or "")
            if found is None:
                post_reply(client, interaction_place(body), notice(core.say(who, "answer_gone")))
            else:
                post_answer(core, client, interaction_place(body), found)

        work.after_ack(body, answer)

    @app.action(re.compile(f"^{QUICK_ACTION}_\\d+$"))
    def ask_quick_question(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        work.after_ack(body, lambda: post_answer(core, client, interaction_place(body), core.answer(
            student(body["user"]["id"]), action.get("value") or "")))

    @app.action(VOTE_HELPFUL)
    @app.action(VOTE_NOT_HELPFUL)
    def vote(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        helpful = action["action_id"] == VOTE_HELPFUL
        container = body.get("container") or {}
        message_ref = (container.get("channel_id") or "", container.get("message_ts") or body.get("action_ts") or "")
        who = student(body["user"]["id"])
        core.vote(who, message_ref, action.get("value") or "", helpful)
        thanks = core.say(who, "vote_helpful" if helpful else "vote_not_helpful")
        ack()
        message = body.get("message")
        if message and message.get("blocks"):
            blocks = [context_block(mrkdwn(thanks)) if block.get("block_id") == "vote" else block
                      for block in message["blocks"]]
            reply = dict(replace_original=True, text=message.get("text") or "", blocks=blocks)
        else:
            reply = dict(response_type="ephemeral", replace_original=False, **notice(thanks))
        work.after_ack(body, lambda: respond(**reply))

    @app.action(ASK_PERSON_ACTION)
    def ask_a_person(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        who_to_ask = notice(core.copy.ask_a_person)
        work.after_ack(body, lambda: post_reply(client, interaction_place(body), who_to_ask))

    @app.action(OPEN_PROFILE_ACTION)
    def open_profile(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        who = student(body["user"]["id"])
        work.after_ack(body, lambda: client.views_open(trigger_id=body["trigger_id"],
                                                       view=profile_modal(core, core.profile(who))), urgent=True)

    @app.action(FORGET_PROFILE_ACTION)
    def forget_profile(ack: Ack, body: dict, client: WebClient) -> None:
        core.forget_profile(student(body["user"]["id"]))
        ack()
        work.after_ack(body, lambda: publish_home(core, client, body["user"]["id"]))
