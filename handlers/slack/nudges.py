"""Nudges in Slack: Done and Remind me later on a nudge, and turning reminder categories on and off."""

from __future__ import annotations

import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core import AdvisorCore, Student
from handlers.slack.blocks import notice
from handlers.slack.common import publish_home, student
from handlers.slack.nudge_blocks import NUDGE_CATEGORY, NUDGE_DONE, NUDGE_LATER, after_press, reminder_summary
from handlers.slack.work import ListenerWork

NOT_YOURS = "That reminder is not one of yours, or it no longer exists."


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.action(NUDGE_DONE)
    def done(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        finished = core.finish_task(student(body["user"]["id"]), _delivery(action))
        ack()
        outcome = "✅ Marked done. No more reminders about this one." if finished else None
        work.after_ack(body, lambda: _replace(body, respond, outcome))

    @app.action(NUDGE_LATER)
    def later(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        when = core.remind_later(student(body["user"]["id"]), _delivery(action))
        ack()
        outcome = f"⏰ Got it: I'll remind you again on {when:%A %-d %B}." if when else None
        work.after_ack(body, lambda: _replace(body, respond, outcome))

    @app.action(re.compile(f"^{NUDGE_CATEGORY}_[a-z0-9-]+$"))
    def toggle(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        category = action["action_id"].removeprefix(f"{NUDGE_CATEGORY}_")
        try:
            core.choose_nudges(student(body["user"]["id"]), category, action.get("value") == "on")
        except KeyError:
            pass  # a category removed from nudges.yaml since the page was drawn: redraw it
        ack()
        work.after_ack(body, lambda: publish_home(core, client, body["user"]["id"]))


def nudges_command(core: AdvisorCore, who: Student, text: str) -> str:
    """`/advisor nudges [on|off <category>|all]`: change a setting, then show them all."""
    settings = core.change_nudges(who, text)
    if settings.problem == "unknown":
        known = ", ".join(f"`{choice.category}`" for choice in settings.choices)
        return f"There is no reminder category called that. Try one of {known}, or `all`."
    usage = "Use `/advisor nudges`, `/advisor nudges off <name>` or `/advisor nudges on <name>`.\n\n" \
        if settings.problem == "usage" else ""
    return usage + reminder_summary(settings.choices)


def _delivery(action: dict) -> int:
    value = action.get("value") or ""
    return int(value) if value.isdigit() and len(value) < 12 else -1


def _replace(body: dict, respond: Respond, outcome: str | None) -> None:
    """The nudge with its buttons replaced by what the press did; None: the press changed nothing."""
    message = body.get("message")
    if outcome is None:
        respond(response_type="ephemeral", replace_original=False, **notice(NOT_YOURS))
    elif message:
        respond(replace_original=True, **after_press(message, outcome))
    else:
        respond(response_type="ephemeral", replace_original=False, **notice(outcome))
