"""Block Kit for alumni-advisor requests: the liaison's card and modals, the student's messages and modal.

Everything a student or the liaison typed (description, specialty, alum's name, reasons, relayed replies)
is escaped: on a card it can never become a live mention or link.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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
from handlers.slack.wording import SlackCopy
from knowledge.copy import Copy
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
CARD_STATUS = {OPEN: "card_open", CLAIMED: "card_claimed", NEEDS_INFO: "card_needs_info", CONNECTED: "card_connected",
               CLOSED: "card_closed"}  # copy.yaml's key for each status


def fallback(text: str) -> str:
    """The message's plain `text` (notifications, clients without blocks): escaped like the blocks, since Slack
    acts on `<!channel>` or `<@U...>` there too."""
    return escape(clip(text, FALLBACK_LIMIT))


def quoted(text: str) -> str:
    """Someone's words as a mrkdwn quote, escaped."""
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.splitlines() or [""])


def contact_label(kind: str | None, words: SlackCopy) -> str:
    return words.label(f"contact_{kind}") if kind in CONTACT_KINDS else words.label("card_any")


def who_line(request: AlumniRequest, words: SlackCopy) -> str:
    parts = [words.label("card_class_of", year=request.class_of) if request.class_of
             else words.label("card_class_not_set"),
             TRACK_LABELS.get(request.track or "", ""), PHASE_LABELS.get(request.phase or "", "")]
    return " · ".join(part for part in parts if part)


def card(request: AlumniRequest, last: RequestChange | None, zone: ZoneInfo, copy: Copy) -> dict:
    """The request as the liaison sees it in the channel: who, what, status and who acted, and the buttons."""
    words = SlackCopy(copy)
    title = words.label("card_title", id=request.id)

    def field(key: str, value: str) -> str:
        return f"{words.text(key)}\n{value}"

    fields = [field("card_student", f"<@{request.student_id}>"),
              field("card_class", escape(who_line(request, words))),
              field("card_specialty", escape(request.specialty) if request.specialty else words.text("card_not_given")),
              field("card_location", escape(request.location) if request.location else words.text("card_any")),
              field("card_contact", escape(contact_label(request.contact, words))),
              field("card_filed", _when(request.created_at, zone))]
    blocks = [
        {"type": "header", "text": plain(title)},
        {"type": "section", "fields": [mrkdwn(text) for text in fields]},
        *sections(words.text("card_looking_for") + "\n" + quoted(request.description)),
        context_block(_status_line(request, last, zone, words)),
    ]
    buttons = _liaison_buttons(request, words)
    if buttons:
        blocks.append({"type": "actions", "block_id": "alumni_card", "elements": buttons})
    blocks.append(context_block(words.text("card_footer")))
    return {"text": f"{title}: {words.label(CARD_STATUS[request.status])}", "blocks": blocks}


def _status_line(request: AlumniRequest, last: RequestChange | None, zone: ZoneInfo, words: SlackCopy) -> str:
    status = words.markdown(CARD_STATUS[request.status])
    if request.status == CONNECTED and request.alumnus:
        parts = [words.text("card_status_connected", status=status, alumnus=request.alumnus)]
    elif request.status == CLOSED and request.close_reason:
        parts = [words.text("card_status_closed", status=status, reason=request.close_reason)]
    else:
        parts = [words.text("card_status", status=status)]
    if last is not None:
        parts.append(words.with_mentions("card_by", {"who": last.actor}, when=_when(last.at, zone)))
    if request.claimed_by and request.status in (NEEDS_INFO, CONNECTED, CLOSED):
        parts.append(words.with_mentions("card_claimed_by", {"who": request.claimed_by}))
    return " · ".join(parts)


def _liaison_buttons(request: AlumniRequest, words: SlackCopy) -> list[dict]:
    if request.status in (CONNECTED, CLOSED):
        return []
    value = str(request.id)
    claim = [button(words.label("card_claim_button"), CLAIM, value, style="primary")] \
        if request.status in (OPEN, NEEDS_INFO) else []
    return claim + [button(words.label("card_ask_info_button"), ASK_INFO, value),
                    button(words.label("card_connected_button"), MARK_CONNECTED, value),
                    button(words.label("card_close_button"), CLOSE, value, style="danger")]


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%-d %b %Y, %H:%M")


# ----------------------------------------------------------------- messages to the student and the thread

def to_student(request: AlumniRequest, text: str, copy: Copy) -> dict:
    words = SlackCopy(copy)
    heading = words.text("to_student_heading", id=request.id, description=clip(request.description, 80))
    blocks = [*sections(f"{heading}\n{mrkdwn_of(text)}"), context_block(words.text("to_student_footer"))]
    return {"text": fallback(words.label("to_student_fallback", id=request.id, text=text)), "blocks": blocks}


def relay_to_student(request: AlumniRequest, text: str, copy: Copy) -> dict:
    words = SlackCopy(copy)
    blocks = [*sections(f"{words.text('relay_heading', id=request.id)}\n{quoted(text)}"),
              context_block(words.text("relay_footer"))]
    return {"text": fallback(words.label("relay_fallback", id=request.id, text=text)), "blocks": blocks}


def check_in(request: AlumniRequest, copy: Copy) -> dict:
    words = SlackCopy(copy)
    alumnus = request.alumnus or words.markdown("check_in_an_alum")
    value = str(request.id)
    return {"text": words.label("check_in_fallback", id=request.id), "blocks": [
        {"type": "section", "text": mrkdwn(words.text("check_in_question", id=request.id, alumnus=alumnus))},
        {"type": "actions", "block_id": "alumni_check_in", "elements": [
            button(words.label("check_in_helpful_button"), f"{CHECK_IN_PREFIX}helpful", value, style="primary"),
            button(words.label("check_in_not_helpful_button"), f"{CHECK_IN_PREFIX}not_helpful", value),
            button(words.label("check_in_not_yet_button"), f"{CHECK_IN_PREFIX}not_yet", value),
        ]},
    ]}


def student_said(text: str, copy: Copy) -> dict:
    words = SlackCopy(copy)
    return {"text": fallback(words.label("student_replied_fallback", text=text)),
            "blocks": sections(words.text("student_replied") + "\n" + quoted(text))}


def thread_note(text: str) -> dict:
    return {"text": fallback(text), "blocks": [context_block(escape(text))]}


def channel_text(text: str, heading: str, copy: Copy) -> dict:
    """A reminder or the digest: our own heading (copy.yaml's key) over lines the scheduler wrote (escaped)."""
    words = SlackCopy(copy)
    return {"text": fallback(f"{words.label(heading)} {text}"),
            "blocks": sections(f"{words.text(heading)}\n{escape(text)}")}


def draft(description: str, copy: Copy) -> dict:
    """The confirm-and-send step for a request made in plain words in a DM."""
    words = SlackCopy(copy)
    return {"text": words.label("draft_title"), "blocks": [
        {"type": "section", "text": mrkdwn(words.text("draft_question") + "\n" + quoted(description))},
        {"type": "actions", "block_id": "alumni_draft", "elements": [
            button(words.label("draft_send_button"), SEND_DRAFT, description, style="primary"),
            button(words.label("draft_edit_button"), EDIT_DRAFT, description),
            button(words.label("draft_drop_button"), DROP_DRAFT, ""),
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


def intake_modal(copy: Copy, description: str | None = None) -> dict:
    words = SlackCopy(copy)
    contacts = [{"text": plain(contact_label(kind, words)), "value": kind} for kind in CONTACT_KINDS]
    return {
        "type": "modal", "callback_id": INTAKE_CALLBACK, "title": plain(words.label("intake_title")),
        "submit": plain(words.label("intake_send")), "close": plain(words.label("form_cancel")),
        "blocks": [
            {"type": "section", "text": mrkdwn(words.text("intake_intro"))},
            _text_input(SPECIALTY, words.label("intake_specialty"), FIELD_LIMIT, optional=True),
            _text_input(LOCATION, words.label("intake_location"), FIELD_LIMIT, optional=True),
            {"type": "input", "block_id": CONTACT, "label": plain(words.label("intake_contact")), "optional": True,
             "element": {"type": "radio_buttons", "action_id": VALUE_ACTION, "options": contacts}},
            _text_input(DESCRIPTION, words.label("intake_description"), DESCRIPTION_LIMIT, optional=False,
                        multiline=True, initial=description, hint=words.label("intake_description_hint")),
        ],
    }


def liaison_modal(kind: str, request_id: int, copy: Copy) -> dict:
    """The form behind Ask for more info, Mark connected and Close; the request id rides in private_metadata."""
    words = SlackCopy(copy)
    forms = {
        ASK_INFO: (INFO_CALLBACK, "ask_info_title", "form_send",
                   [_text_input(QUESTION, words.label("ask_info_question"), 1000, optional=False, multiline=True)]),
        MARK_CONNECTED: (CONNECTED_CALLBACK, "connected_title", "form_save",
                         [_text_input(ALUMNUS, words.label("connected_alumnus"), 200, optional=False),
                          _text_input(NOTES, words.label("connected_notes"), 1000, optional=True, multiline=True,
                                      hint=words.label("connected_notes_hint"))]),
        CLOSE: (CLOSE_CALLBACK, "close_title", "close_submit",
                [_text_input(REASON, words.label("close_reason"), 300, optional=False, multiline=True)]),
    }
    callback, title, submit, blocks = forms[kind]
    return {"type": "modal", "callback_id": callback, "private_metadata": str(request_id),
            "title": plain(words.label(title)), "submit": plain(words.label(submit)),
            "close": plain(words.label("form_cancel")),
            "blocks": [{"type": "section", "text": mrkdwn(words.text("liaison_form_request", id=request_id))},
                       *blocks]}


def submitted(view: dict, block_id: str) -> str | None:
    """A value from a submitted modal: typed text or the chosen option."""
    value = (view.get("state", {}).get("values", {}).get(block_id, {}).get(VALUE_ACTION) or {})
    chosen = value.get("selected_option")
    return chosen.get("value") if chosen else value.get("value")


def home_section(request_lines: list[str], words: SlackCopy) -> list[dict]:
    """The App Home's part: the way to ask, and the student's own requests (the core's lines) with their status."""
    blocks = [{"type": "section", "text": mrkdwn(words.text("home_alumni")),
               "accessory": button(words.label("alumni_button"), OPEN_INTAKE)}]
    if request_lines:
        blocks += sections(words.text("home_requests_title") + "\n" + mrkdwn_of("\n".join(request_lines)))
    return blocks
