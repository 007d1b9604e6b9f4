"""`/advisor`: the command grammar of bot/commands.py on Slack. Answers are ephemeral: only the student sees them.
Whatever needs only the core is done, committed and put in the acknowledgement itself; what needs Slack (an
answer worked out and sent to the response_url, a modal, the App Home) follows the ack."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import Verb, parse_slash
from bot.core import AdvisorCore
from handlers.slack.alumni_blocks import intake_modal
from handlers.slack.blocks import clip, notice, reply_message
from handlers.slack.common import publish_home, render, student
from handlers.slack.markdown import plain_text
from handlers.slack.surfaces import profile_modal
from handlers.slack.work import ListenerWork


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.command("/advisor")
    def advisor_command(ack: Ack, body: dict, command: dict, respond: Respond, client: WebClient) -> None:
        parsed = parse_slash(command.get("text") or "")
        who = student(command["user_id"])

        def then(task, urgent: bool = False) -> None:
            work.after_ack(body, task, urgent=urgent)

        match parsed.verb:
            case Verb.ASK:
                ack()
                heading = core.say(who, "you_asked", question=clip(" ".join(parsed.text.split()), 300))
                question = plain_text(parsed.text)
                then(lambda: respond(response_type="ephemeral", **render(core, core.answer(who, question),
                                                                         heading=heading)))
            case Verb.UPCOMING | Verb.CHECKLIST:
                ack()
                then(lambda: respond(response_type="ephemeral", **reply_message(
                    core.execute(who, parsed).reply, core.copy.ask_a_person, core.texts)))
            case Verb.ALUMNI if not parsed.text:
                ack()
                then(lambda: client.views_open(trigger_id=command["trigger_id"], view=intake_modal(core.texts)),
                     urgent=True)
            case Verb.PROFILE:
                ack()
                then(lambda: client.views_open(trigger_id=command["trigger_id"],
                                               view=profile_modal(core, core.profile(who))), urgent=True)
            case _:  # done and committed now, then acknowledged with what it did
                done = core.execute(who, parsed, key=f"slack-command:{command['trigger_id']}")
                ack(response_type="ephemeral", **notice(done.text))
                if done.changed:
                    then(lambda: publish_home(core, client, who.user_id))
