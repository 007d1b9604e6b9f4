"""`/advisor`: help, ask, profile, upcoming, nudges, alumni and requests. Answers are ephemeral: only the student
sees them. Whatever needs only the database is done, committed and put in the acknowledgement itself; what
needs Slack (an answer worked out and sent to the response_url, a modal, the App Home) follows the ack."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.command_words import ALUMNI_VERBS, FORGET_WORDS, profile_words
from bot.core import AdvisorCore
from handlers.slack.alumni import file_from_command, list_for_student
from handlers.slack.alumni_blocks import intake_modal
from handlers.slack.blocks import escape, notice, reply_blocks, you_asked
from handlers.slack.common import publish_home, render, student
from handlers.slack.nudges import nudges_command
from handlers.slack.surfaces import profile_modal
from handlers.slack.work import ListenerWork
from knowledge.context import InputError

HELP = (
    "*Career Planning advisor.* Message me any question about the programme, or use:\n"
    "• `/advisor ask <question>`: an answer here that only you can see\n"
    "• `/advisor profile`: set your class year and track, so answers fit your phase "
    "(or type it: `/advisor profile 2028 pathways`; `/advisor profile delete` forgets it)\n"
    "• `/advisor upcoming`: what is coming up for you this month and next\n"
    "• `/advisor nudges`: which reminders you get; `/advisor nudges off <name>` turns one off\n"
    "• `/advisor alumni <what you are looking for>`: ask the Alumni Liaison to put you in touch with an alum "
    "(or just `/advisor alumni` for a form); `/advisor requests` shows your requests\n"
    "• `/advisor help`: this message"
)


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.command("/advisor")
    def advisor_command(ack: Ack, body: dict, command: dict, respond: Respond, client: WebClient) -> None:
        verb, _, rest = (command.get("text") or "").strip().partition(" ")
        verb, rest = verb.lower(), rest.strip()
        who = student(command["user_id"])

        def then(task, urgent: bool = False) -> None:
            work.after_ack(body, task, urgent=urgent)

        def ephemeral(message: dict, refresh_home: bool = False) -> None:
            ack(response_type="ephemeral", **message)
            if refresh_home:
                then(lambda: publish_home(core, client, who.user_id))

        match verb:
            case verb if verb in ALUMNI_VERBS and rest:
                ephemeral(file_from_command(core, command, rest))  # filed and committed, then acknowledged
            case "ask" if rest:
                ack()
                then(lambda: respond(response_type="ephemeral", **render(core, core.answer(who, rest),
                                                                         heading=you_asked(rest))))
            case "upcoming":
                ack()

                def upcoming() -> None:
                    reply = core.upcoming(core.context(who))
                    respond(response_type="ephemeral", text=escape(reply.text),
                            blocks=reply_blocks(reply, core.copy.ask_a_person))

                then(upcoming)
            case "profile" if rest.lower() in FORGET_WORDS:
                core.forget_profile(who)
                ephemeral(notice("Done: I've forgotten your class year and track."), refresh_home=True)
            case "profile" if rest:
                ephemeral(notice(_set_profile(core, command["user_id"], rest)), refresh_home=True)
            case "nudges":
                ephemeral(notice(nudges_command(core, who, rest)), refresh_home=True)
            case "requests" | "request":
                ephemeral(list_for_student(core, command["user_id"]))
            case verb if verb in ALUMNI_VERBS:
                ack()
                then(lambda: client.views_open(trigger_id=command["trigger_id"], view=intake_modal()), urgent=True)
            case "profile":
                ack()
                then(lambda: client.views_open(trigger_id=command["trigger_id"],
                                               view=profile_modal(core, core.profile(who))), urgent=True)
            case _:
                ephemeral(notice(HELP))


def _set_profile(core: AdvisorCore, user_id: str, text: str) -> str:
    try:
        profile = core.set_profile(student(user_id), *profile_words(text))
    except InputError as error:
        return f"I couldn't save that: {escape(str(error))}. For example: `/advisor profile 2028 pathways`."
    return f"Saved. {escape(core.describe(profile))}."
