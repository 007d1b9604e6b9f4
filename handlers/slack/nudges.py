"""Nudges in Slack: Done and Remind me later on a nudge, and turning reminder categories on and off."""

from __future__ import annotations

import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.blocks import notice
from handlers.slack.common import publish_home, student
from handlers.slack.markdown import mrkdwn
from handlers.slack.nudge_blocks import NUDGE_CATEGORY, NUDGE_DONE, NUDGE_LATER, after_press
from handlers.slack.work import ListenerWork


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.action(NUDGE_DONE)
    def done(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        who = student(body["user"]["id"])
        finished = core.finish_task(who, _delivery(action))
        ack()
        outcome = core.say(who, "nudge_done") if finished else None
        work.after_ack(body, lambda: _replace(body, respond, outcome, core.say(who, "nudge_not_yours")))

    @app.action(NUDGE_LATER)
    def later(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        who = student(body["user"]["id"])
        when = core.remind_later(who, _delivery(action))
        ack()
        outcome = core.say(who, "nudge_later", when=f"{when:%A %-d %B}") if when else None
        work.after_ack(body, lambda: _replace(body, respond, outcome, core.say(who, "nudge_not_yours")))

    @app.action(re.compile(f"^{NUDGE_CATEGORY}_[a-z0-9-]+$"))
    def toggle(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        category = action["action_id"].removeprefix(f"{NUDGE_CATEGORY}_")
        try:
            core.choose_nudges(student(body["user"]["id"]), category, action.get("value") == "on")
        except KeyError:
            pass  # a category removed from nudges.yaml since the page was drawn: redraw it
        ack()
        work.after_ack(body, lambda: publish_home(core, client, body["user"]["id"]))


def _delivery(action: dict) -> int:
    value = action.get("value") or ""
    return int(value) if value.isdigit() and len(value) < 12 else -1


def _replace(body: dict, respond: Respond, outcome: str | None, not_yours: str) -> None:
    """The nudge with its buttons replaced by what the press did; None: the press changed nothing."""
    message = body.get("message")
    if outcome is None:
        respond(response_type="ephemeral", replace_original=False, **notice(not_yours))
    elif message:
        respond(replace_original=True, **after_press(message, mrkdwn(outcome)))
    else:
        respond(response_type="ephemeral", replace_original=False, **notice(outcome))
