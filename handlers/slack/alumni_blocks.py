"""Block Kit for alumni-advisor requests: the liaison's card and modals, the student's messages and modal.

Everything a student or the liaison typed (description, specialty, alum's name, reasons, relayed replies)
is escaped: on a card it can never become a live mention or link.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alumni_desk import label
from handlers.slack.blocks import (
    FALLBACK_LIMIT,
    OPEN_INTAKE_ACTION,
    button,
    clip,
    context_block,
    mrkdwn,
    plain,
    sections,
)
from handlers.slack.markdown import escape
from handlers.slack.markdown import mrkdwn as mrkdwn_of
from knowledge.schema import PHASE_LABELS, TRACK_LABELS
from store.alumni import CLAIMED, CLOSED, CONNECTED, CONTACT_KINDS, DESCRIPTION_LIMIT, FIELD_LIMIT, NEEDS_INFO, OPEN
from store.models import AlumniRequest, RequestChange

CLAIM, ASK_INFO, MARK_CONNECTED, CLOSE = "alumni_claim", "alumni_ask_info", "alumni_connected", "alumni_close"
LIAISON_ACTIONS = (CLAIM, ASK_INFO, MARK_CONNECTED, CLOSE)
OPEN_INTAKE = OPEN_INTAKE_ACTION
SEND_DRAFT, EDIT_DRAFT, DROP_DRAFT = "alumni_send_draft", "alumni_edit_draft", "alumni_drop_draft"
CHECK_IN_PREFIX = "alumni_check_in_"
INTAKE_CALLBACK = "alumni_intake"
INFO_CALLBACK, CONNECTED_CALLBACK, CLOSE_CALLBACK = "alumni_info_form", "alumni_connected_form", "alumni_close_form"
SPECIALTY, LOCATION, CONTACT, DESCRIPTION = "specialty", "location", "contact", "description"
QUESTION, ALUMNUS, NOTES, REASON = "question", "alumnus", "notes", "reason"
VALUE_ACTION = "value"
CARD_STATUS = {OPEN: "Open: waiting to be claimed", CLAIMED: "Claimed", NEEDS_INFO: "Waiting for the student",
               CONNECTED: "Connected", CLOSED: "Closed"}
CONTACT_LABELS = {"email": "Email exchange", "call": "Phone call", "visit": "Visit", "shadowing": "Shadowing"}


def fallback(text: str) -> str:
    """The message's plain `text` (notifications, clients without blocks): escaped like the blocks, since Slack
    acts on `<!channel>` or `<@U...>` there too."""
    return escape(clip(text, FALLBACK_LIMIT))


def quoted(text: str) -> str:
    """Someone's words as a mrkdwn quote, escaped."""
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.splitlines() or [""])


def who_line(request: AlumniRequest) -> str:
    parts = [f"Class of {request.class_of}" if request.class_of else "Class not set",
             TRACK_LABELS.get(request.track or "", ""), PHASE_LABELS.get(request.phase or "", "")]
    return " · ".join(part for part in parts if part)


def card(request: AlumniRequest, last: RequestChange | None, zone: ZoneInfo) -> dict:
    """The request as the liaison sees it in the channel: who, what, status and who acted, and the buttons."""
    title = f"Alumni-advisor request #{request.id}"
    fields = [f"*Student*\n<@{request.student_id}>", f"*Class and phase*\n{escape(who_line(request))}",
              f"*Specialty*\n{escape(request.specialty or 'not given')}",
              f"*Location*\n{escape(request.location or 'any')}",
              f"*Kind of contact*\n{CONTACT_LABELS.get(request.contact or '', 'any')}",
              f"*Filed*\n{_when(request.created_at, zone)}"]
    blocks = [
        {"type": "header", "text": plain(title)},
        {"type": "section", "fields": [mrkdwn(field) for field in fields]},
        *sections("*What they are looking for*\n" + quoted(request.description)),
        context_block(_status_line(request, last, zone)),
    ]
    buttons = _liaison_buttons(request)
    if buttons:
        blocks.append({"type": "actions", "block_id": "alumni_card", "elements": buttons})
    blocks.append(context_block("Reply in this thread to write to the student: I pass it on, and their replies "
                                "come back here."))
    return {"text": f"{title}: {CARD_STATUS[request.status]}", "blocks": blocks}


def _status_line(request: AlumniRequest, last: RequestChange | None, zone: ZoneInfo) -> str:
    line = f"*Status:* {CARD_STATUS[request.status]}"
    if request.status == CONNECTED and request.alumnus:
        line += f" with {escape(request.alumnus)}"
    if request.status == CLOSED and request.close_reason:
        line += f" ({escape(request.close_reason)})"
    if last is not None:
        line += f" · by <@{last.actor}>, {_when(last.at, zone)}"
    if request.claimed_by and request.status in (NEEDS_INFO, CONNECTED, CLOSED):
        line += f" · claimed by <@{request.claimed_by}>"
    return line


def _liaison_buttons(request: AlumniRequest) -> list[dict]:
    if request.status in (CONNECTED, CLOSED):
        return []
    value = str(request.id)
    buttons = [button("Claim", CLAIM, value, style="primary")] if request.status in (OPEN, NEEDS_INFO) else []
    return buttons + [button("Ask for more info", ASK_INFO, value), button("Mark connected", MARK_CONNECTED, value),
                      button("Close", CLOSE, value, style="danger")]


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%-d %b %Y, %H:%M")


# ----------------------------------------------------------------- messages to the student and the thread

def to_student(request: AlumniRequest, text: str) -> dict:
    heading = f"*Your alumni-advisor request #{request.id}* ({escape(clip(request.description, 80))})"
    blocks = [*sections(f"{heading}\n{mrkdwn_of(text)}"),
              context_block("Reply in this thread to write to the Alumni Liaison. `/advisor requests` lists "
                            "your requests.")]
    return {"text": fallback(f"Request #{request.id}: {text}"), "blocks": blocks}


def relay_to_student(request: AlumniRequest, text: str) -> dict:
    heading = f"*The Alumni Liaison wrote about your request #{request.id}:*"
    blocks = [*sections(f"{heading}\n{quoted(text)}"),
              context_block("Reply in this thread and I'll pass your answer on.")]
    return {"text": fallback(f"The Alumni Liaison wrote about request #{request.id}: {text}"), "blocks": blocks}


def check_in(request: AlumniRequest) -> dict:
    who = escape(request.alumnus or "an alum")
    text = (f"*Checking in on request #{request.id}.* The Alumni Liaison put you in touch with {who}. "
            "Did you connect, and was it helpful?")
    value = str(request.id)
    return {"text": f"Checking in on alumni-advisor request #{request.id}", "blocks": [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "actions", "block_id": "alumni_check_in", "elements": [
            button("Yes, and it helped", f"{CHECK_IN_PREFIX}helpful", value, style="primary"),
            button("Yes, not much help", f"{CHECK_IN_PREFIX}not_helpful", value),
            button("Not yet", f"{CHECK_IN_PREFIX}not_yet", value),
        ]},
    ]}


def student_said(text: str) -> dict:
    return {"text": fallback(f"The student replied: {text}"),
            "blocks": sections("*The student replied:*\n" + quoted(text))}


def thread_note(text: str) -> dict:
    return {"text": fallback(text), "blocks": [context_block(escape(text))]}


def channel_text(text: str, heading: str) -> dict:
    """A reminder or the digest: our own heading over lines the scheduler wrote (escaped)."""
    return {"text": fallback(f"{heading} {text}"), "blocks": sections(f"*{heading}*\n{escape(text)}")}


def requests_list(requests: list[AlumniRequest], zone: ZoneInfo) -> str:
    """A student's own requests, newest first, for `/advisor requests` and the App Home."""
    if not requests:
        return ("You have no alumni-advisor requests. `/advisor alumni <what you are looking for>` makes one, "
                "e.g. `/advisor alumni an alum in dermatology in Boston for a call about research years`.")
    lines = [f"• *#{request.id}* {label(request.status)}, filed {request.created_at.astimezone(zone):%-d %b %Y}: "
             f"{escape(clip(request.description, 90))}"
             + (f" (connected with {escape(request.alumnus)})" if request.status == CONNECTED and request.alumnus
                else "")
             for request in requests[:20]]
    return "\n".join(lines)


def draft(description: str) -> dict:
    """The confirm-and-send step for a request made in plain words in a DM."""
    return {"text": "Send this to the Alumni Liaison?", "blocks": [
        {"type": "section", "text": mrkdwn("It sounds like you would like to be put in touch with an alum. "
                                           "Shall I send this to the *Alumni Liaison*?\n" + quoted(description))},
        {"type": "actions", "block_id": "alumni_draft", "elements": [
            button("Send it", SEND_DRAFT, description, style="primary"),
            button("Add details", EDIT_DRAFT, description),
            button("No thanks", DROP_DRAFT, ""),
        ]},
    ]}


# ----------------------------------------------------------------- modals

def _text_input(block_id: str, label_text: str, limit: int, optional: bool, multiline: bool = False,
                initial: str | None = None, hint: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": VALUE_ACTION, "max_length": limit, "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:limit]
    block = {"type": "input", "block_id": block_id, "label": plain(label_text), "optional": optional,
             "element": element}
    if hint:
        block["hint"] = plain(hint)
    return block


def intake_modal(description: str | None = None) -> dict:
    contacts = [{"text": plain(CONTACT_LABELS[kind]), "value": kind} for kind in CONTACT_KINDS]
    return {
        "type": "modal", "callback_id": INTAKE_CALLBACK, "title": plain("Ask for an alumni advisor"),
        "submit": plain("Send"), "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": mrkdwn(
                "The Alumni Liaison matches students with alumni advisors from a network of about 400. "
                "Tell them what you are looking for; only you and the liaison staff see it.")},
            _text_input(SPECIALTY, "Specialty", FIELD_LIMIT, optional=True),
            _text_input(LOCATION, "Location (city, region or hospital)", FIELD_LIMIT, optional=True),
            {"type": "input", "block_id": CONTACT, "label": plain("Kind of contact"), "optional": True,
             "element": {"type": "radio_buttons", "action_id": VALUE_ACTION, "options": contacts}},
            _text_input(DESCRIPTION, "What would you like help with?", DESCRIPTION_LIMIT, optional=False,
                        multiline=True, initial=description,
                        hint="A few sentences: your interests and what you hope to ask an alum."),
        ],
    }


def liaison_modal(kind: str, request_id: int) -> dict:
    """The form behind Ask for more info, Mark connected and Close; the request id rides in private_metadata."""
    forms = {
        ASK_INFO: (INFO_CALLBACK, "Ask the student", "Send",
                   [_text_input(QUESTION, "Your question for the student", 1000, optional=False, multiline=True)]),
        MARK_CONNECTED: (CONNECTED_CALLBACK, "Mark connected", "Save",
                         [_text_input(ALUMNUS, "Alum's name", 200, optional=False),
                          _text_input(NOTES, "Notes for the student (optional)", 1000, optional=True,
                                      multiline=True, hint="How and when the alum expects to hear from them.")]),
        CLOSE: (CLOSE_CALLBACK, "Close the request", "Close it",
                [_text_input(REASON, "Reason (the student sees it)", 300, optional=False, multiline=True)]),
    }
    callback, title, submit, blocks = forms[kind]
    return {"type": "modal", "callback_id": callback, "private_metadata": str(request_id), "title": plain(title),
            "submit": plain(submit), "close": plain("Cancel"),
            "blocks": [{"type": "section", "text": mrkdwn(f"Request *#{request_id}*")}, *blocks]}


def submitted(view: dict, block_id: str) -> str | None:
    """A value from a submitted modal: typed text or the chosen option."""
    value = (view.get("state", {}).get("values", {}).get(block_id, {}).get(VALUE_ACTION) or {})
    chosen = value.get("selected_option")
    return chosen.get("value") if chosen else value.get("value")


def home_section(requests: list[AlumniRequest], zone: ZoneInfo) -> list[dict]:
    """The App Home's part: the way to ask, and the student's own requests with their status."""
    blocks = [{"type": "section",
               "text": mrkdwn("*Alumni advisors*\nThe Alumni Liaison can put you in touch with an alum for an "
                              "email exchange, a call, a visit or shadowing."),
               "accessory": button("Ask for an alumni advisor", OPEN_INTAKE)}]
    if requests:
        blocks += sections("*Your requests*\n" + requests_list(requests, zone))
    return blocks
