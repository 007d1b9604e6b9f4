"""Alumni-advisor requests in Slack: the three ways in (command, modal, plain words in a DM), the liaison's
buttons and forms, replies relayed between the card's thread and the student, and the check-in.

A request is committed before Slack's request is acknowledged; the card and every message after it
leave through the outbox (bot/outbox.py), so Slack being down loses nothing.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.alumni import Intake
from bot.alumni_desk import NOT_LIAISON, NotLiaison, Outcome
from bot.core import AdvisorCore
from bot.intents import wants_alumni_contact
from bot.profile import InputError
from handlers.slack import alumni_blocks as blocks
from handlers.slack.blocks import context_block, escape, notice
from handlers.slack.common import PLATFORM, is_from_a_person

RECEIPT = ("Your request #{id} is with the Alumni Liaison, who will look for an alum who fits. I'll message you "
           "when it moves on; `/advisor requests` shows where it stands.")
FORMS = {blocks.INFO_CALLBACK: blocks.ASK_INFO, blocks.CONNECTED_CALLBACK: blocks.MARK_CONNECTED,
         blocks.CLOSE_CALLBACK: blocks.CLOSE}


def file_from_command(core: AdvisorCore, command: dict, text: str) -> dict:
    """`/advisor alumni <description>`: filed (and committed) now; the reply is the receipt or the problem."""
    try:
        request, _ = core.requests.file(PLATFORM, command["user_id"], Intake(text),
                                        f"slack-command:{command['trigger_id']}")
    except InputError as error:
        return notice(f"I couldn't send that yet: {escape(str(error))}. For example: `/advisor alumni an alum in "
                      "dermatology in Boston, for a call about research years`.")
    return notice(RECEIPT.format(id=request.id))


def list_for_student(core: AdvisorCore, user_id: str) -> dict:
    mine = core.requests.mine(PLATFORM, user_id)
    return notice("*Your alumni-advisor requests*\n" + blocks.requests_list(mine, core.timezone))


def handled_in_dm(core: AdvisorCore, client: WebClient, event: dict, event_id: str | None) -> bool:
    """A DM that is about requests rather than a question: a reply in a request's thread goes to the
    liaison; a request in plain words gets the confirm-and-send step. False: answer it as a question."""
    handled = _about_requests(core, client, event, event_id)
    if handled and event_id:
        core.answered(PLATFORM, event_id)
    return handled


def _about_requests(core: AdvisorCore, client: WebClient, event: dict, event_id: str | None) -> bool:
    text = event.get("text") or ""
    channel, thread_ts = event["channel"], event.get("thread_ts")
    relayed = core.requests.student_reply(PLATFORM, event["user"], channel, thread_ts, text, event_id)
    if relayed is not None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                **notice(f"Passed on to the Alumni Liaison (request #{relayed.id})."))
        return True
    if wants_alumni_contact(text):
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **blocks.draft(" ".join(text.split())[:2000]))
        return True
    return False


def register(app: App, core: AdvisorCore) -> None:
    desk = core.requests

    def liaison_thread_reply(event: dict) -> bool:
        return (event.get("channel_type") in ("channel", "group") and bool(event.get("thread_ts"))
                and event.get("thread_ts") != event.get("ts") and is_from_a_person(event))

    @app.event("message", matchers=[liaison_thread_reply])
    def relay_liaison_reply(event: dict, body: dict) -> None:
        desk.liaison_reply(event["channel"], event["thread_ts"], event["user"], event.get("text") or "",
                           body.get("event_id"))

    @app.action(blocks.OPEN_INTAKE)
    def open_intake(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=blocks.intake_modal())

    @app.view(blocks.INTAKE_CALLBACK)
    def submit_intake(ack: Ack, body: dict, view: dict) -> None:
        intake = Intake(blocks.submitted(view, blocks.DESCRIPTION) or "", blocks.submitted(view, blocks.SPECIALTY),
                        blocks.submitted(view, blocks.LOCATION), blocks.submitted(view, blocks.CONTACT))
        try:
            desk.file(PLATFORM, body["user"]["id"], intake, f"slack-view:{view['id']}", notify=True)
        except InputError as error:
            ack(response_action="errors", errors={blocks.DESCRIPTION: str(error)[:150]})
            return
        ack()

    @app.action(blocks.SEND_DRAFT)
    def send_draft(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        container = body.get("container") or {}
        key = f"slack-draft:{container.get('channel_id')}:{container.get('message_ts')}"
        try:
            request, _ = desk.file(PLATFORM, body["user"]["id"], Intake(action.get("value", "")), key)
        except InputError as error:
            ack()
            respond(replace_original=False, **notice(f"I couldn't send that: {escape(str(error))}. Try "
                                                     "*Add details*, or `/advisor alumni <what you are looking for>`."))
            return
        ack()
        respond(replace_original=True, **notice(RECEIPT.format(id=request.id)))

    @app.action(blocks.EDIT_DRAFT)
    def edit_draft(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=blocks.intake_modal(action.get("value")))
        respond(replace_original=True, **notice("Add the details in the form; I'll confirm here once it's sent."))

    @app.action(blocks.DROP_DRAFT)
    def drop_draft(ack: Ack, respond: Respond) -> None:
        ack()
        respond(replace_original=True, **notice("OK, nothing was sent. `/advisor alumni` makes a request any time."))

    @app.action(blocks.CLAIM)
    def claim(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        _answer_liaison(respond, lambda: desk.claim(int(action["value"]), body["user"]["id"]))

    @app.action(re.compile(f"^({blocks.ASK_INFO}|{blocks.MARK_CONNECTED}|{blocks.CLOSE})$"))
    def open_liaison_form(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        if not desk.may_act(body["user"]["id"]):
            respond(response_type="ephemeral", replace_original=False, **notice(NOT_LIAISON))
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=blocks.liaison_modal(action["action_id"], int(action["value"])))

    @app.view(re.compile(f"^({'|'.join(FORMS)})$"))
    def submit_liaison_form(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        actor, request_id, form = body["user"]["id"], int(view["private_metadata"]), FORMS[view["callback_id"]]
        field = {blocks.ASK_INFO: blocks.QUESTION, blocks.MARK_CONNECTED: blocks.ALUMNUS, blocks.CLOSE: blocks.REASON}
        try:
            if form == blocks.ASK_INFO:
                outcome = desk.ask_for_info(request_id, actor, blocks.submitted(view, blocks.QUESTION))
            elif form == blocks.MARK_CONNECTED:
                outcome = desk.connect(request_id, actor, blocks.submitted(view, blocks.ALUMNUS),
                                       blocks.submitted(view, blocks.NOTES))
            else:
                outcome = desk.close(request_id, actor, blocks.submitted(view, blocks.REASON))
        except InputError as error:
            ack(response_action="errors", errors={field[form]: str(error)[:150]})
            return
        except NotLiaison:
            ack(response_action="errors", errors={field[form]: NOT_LIAISON})
            return
        ack()
        if outcome.problem:
            client.chat_postMessage(channel=actor, **notice(escape(outcome.problem)))

    @app.action(re.compile(f"^{blocks.CHECK_IN_PREFIX}\\w+$"))
    def answer_check_in(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        answer = action["action_id"].removeprefix(blocks.CHECK_IN_PREFIX)
        if not desk.check_in(PLATFORM, body["user"]["id"], int(action["value"]), answer):
            respond(response_type="ephemeral", replace_original=False, **notice("That check-in is not yours."))
            return
        message = body.get("message") or {}
        kept = [block for block in message.get("blocks", []) if block.get("block_id") != "alumni_check_in"]
        respond(replace_original=True, text=message.get("text", ""),
                blocks=[*kept, context_block("Thanks! I've told the Alumni Liaison.")])


def _answer_liaison(respond: Respond, act) -> Outcome | None:
    """Runs a liaison action; a non-liaison's press or a stale card gets an ephemeral answer, nothing else."""
    try:
        outcome = act()
    except NotLiaison:
        respond(response_type="ephemeral", replace_original=False, **notice(NOT_LIAISON))
        return None
    if outcome.problem:
        respond(response_type="ephemeral", replace_original=False, **notice(escape(outcome.problem)))
    return outcome
