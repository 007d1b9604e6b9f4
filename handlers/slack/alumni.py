"""Alumni-advisor requests in Slack: the three ways in (command, modal, plain words in a DM), the liaison's
buttons and forms, replies relayed between the card's thread and the student, and the check-in.

A request is committed before Slack's request is acknowledged; the card and every message after it
leave through the outbox (store/outbox.py), so Slack being down loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.alumni_desk import NotLiaison, Outcome, RequestDesk
from bot.core import AdvisorCore
from bot.intents import wants_alumni_contact
from handlers.slack import alumni_blocks as blocks
from handlers.slack.blocks import context_block, notice
from handlers.slack.common import PLATFORM, event_place, interaction_place, is_from_a_person, post_reply, student
from handlers.slack.markdown import mrkdwn, plain_text
from handlers.slack.work import ListenerWork
from knowledge.context import InputError
from store.alumni import Intake

FORMS = {blocks.INFO_CALLBACK: blocks.ASK_INFO, blocks.CONNECTED_CALLBACK: blocks.MARK_CONNECTED,
         blocks.CLOSE_CALLBACK: blocks.CLOSE}


def handled_in_dm(core: AdvisorCore, client: WebClient, event: dict, body: dict) -> bool:
    """A DM that is about requests rather than a question: a reply in a request's thread goes to the
    liaison; a request in plain words gets the confirm-and-send step. False: answer it as a question."""
    text = event.get("text") or ""  # relayed as written (Slack to Slack); read as plain text for the intent
    place = event_place(body)
    relayed = core.requests.student_reply(PLATFORM, event["user"], event["channel"], event.get("thread_ts"), text,
                                          body.get("event_id"))
    if relayed is not None:
        post_reply(client, place, notice(core.say(student(event["user"]), "relayed_to_liaison", id=relayed.id)))
        return True
    if wants_alumni_contact(plain_text(text)):
        post_reply(client, place, blocks.draft(" ".join(plain_text(text).split())[:2000], core.texts))
        return True
    return False


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
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
        work.after_ack(body, lambda: client.views_open(trigger_id=body["trigger_id"],
                                                       view=blocks.intake_modal(core.texts)), urgent=True)

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
        done = core.file_request(student(body["user"]["id"]), Intake(action.get("value") or ""), key)
        reply = dict(replace_original=done.request is not None, **notice(done.text))
        ack()
        work.after_ack(body, lambda: respond(**reply))

    @app.action(blocks.EDIT_DRAFT)
    def edit_draft(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()

        def open_form() -> None:
            client.views_open(trigger_id=body["trigger_id"], view=blocks.intake_modal(core.texts, action.get("value")))
            respond(replace_original=True, **notice(core.say(student(body["user"]["id"]), "draft_edit")))

        work.after_ack(body, open_form, urgent=True)

    @app.action(blocks.DROP_DRAFT)
    def drop_draft(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        dropped = notice(core.say(student(body["user"]["id"]), "draft_dropped"))
        work.after_ack(body, lambda: respond(replace_original=True, **dropped))

    @app.action(blocks.CLAIM)
    def claim(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        outcome = _liaison_act(desk, lambda request_id: desk.claim(request_id, body["user"]["id"]),
                               action.get("value"))
        ack()
        if outcome:
            work.after_ack(body, lambda: respond(response_type="ephemeral", replace_original=False,
                                                 **notice(outcome)))

    @app.action(re.compile(f"^({blocks.ASK_INFO}|{blocks.MARK_CONNECTED}|{blocks.CLOSE})$"))
    def open_liaison_form(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        request_id = number(action.get("value"))

        def open_form() -> None:
            if not desk.may_act(body["user"]["id"]):
                respond(response_type="ephemeral", replace_original=False, **notice(desk.not_liaison))
            elif request_id is not None:
                client.views_open(trigger_id=body["trigger_id"],
                                  view=blocks.liaison_modal(action["action_id"], request_id, core.texts))

        work.after_ack(body, open_form, urgent=True)

    @app.view(re.compile(f"^({'|'.join(FORMS)})$"))
    def submit_liaison_form(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        actor, request_id, form = body["user"]["id"], number(view.get("private_metadata")), FORMS[view["callback_id"]]
        field = {blocks.ASK_INFO: blocks.QUESTION, blocks.MARK_CONNECTED: blocks.ALUMNUS, blocks.CLOSE: blocks.REASON}
        if request_id is None:
            ack(response_action="errors", errors={field[form]: desk.copy.say("form_out_of_date")})
            return
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
            ack(response_action="errors", errors={field[form]: desk.not_liaison})
            return
        ack()
        if outcome.problem:
            work.after_ack(body, lambda: post_reply(client, interaction_place(body), notice(outcome.problem)))

    @app.action(re.compile(f"^{blocks.CHECK_IN_PREFIX}\\w+$"))
    def answer_check_in(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        answer = action["action_id"].removeprefix(blocks.CHECK_IN_PREFIX)
        request_id = number(action.get("value"))
        mine = request_id is not None and desk.check_in(PLATFORM, body["user"]["id"], request_id, answer)
        who = student(body["user"]["id"])
        ack()
        message = body.get("message") or {}
        kept = [block for block in message.get("blocks") or [] if block.get("block_id") != "alumni_check_in"]
        reply = dict(replace_original=True, text=message.get("text") or "",
                     blocks=[*kept, context_block(mrkdwn(core.say(who, "check_in_thanks")))]) if mine else \
            dict(response_type="ephemeral", replace_original=False, **notice(core.say(who, "check_in_not_yours")))
        work.after_ack(body, lambda: respond(**reply))


def number(value: object) -> int | None:
    """A request or delivery number carried by a button or form; None when it is not one."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


def _liaison_act(desk: RequestDesk, act: Callable[[int], Outcome], value: object) -> str | None:
    """Runs a liaison action (committed before the acknowledgement); what to tell the presser, if anything
    (neutral Markdown): a non-liaison's press or a stale card changes nothing."""
    request_id = number(value)
    if request_id is None:
        return desk.copy.say("request_gone")
    try:
        outcome = act(request_id)
    except NotLiaison:
        return desk.not_liaison
    return outcome.problem
