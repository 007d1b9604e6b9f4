"""Adaptive Cards for Teams: answers, the profile form, help, nudges.

Card TextBlocks render a Markdown subset, so any text that is not ours (the student's words, the liaison's)
goes through `escape`: a `[link](...)`, `**`, `_` or `<at>` typed by someone is shown, never rendered.
Our copy and the core's replies are neutral Markdown, rendered by handlers/teams/markdown.py.
Every button is an Action.Submit whose data names what it does under ACTION.
"""

from __future__ import annotations

import uuid

from bot.core import Answer
from bot.replies import Link, Reply, ReplyKind
from handlers.teams.markdown import escape, teams
from knowledge.schema import TRACK_LABELS
from scheduler.ports import ReadyNudge
from store.alumni import ABOUT_ALUMNI_ENTRIES, CONTACT_KINDS

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTION = "advisor"
TEXT_LIMIT = 20000  # Teams caps a message at about 28 KB; the card's text stays well below
TITLE_LIMIT = 60

ENTRY, VOTE, ASK_PERSON, PROFILE_FORM, SAVE_PROFILE = "entry", "vote", "ask_person", "profile_form", "save_profile"
INTAKE_FORM, FILE_REQUEST, NUDGE_DONE, NUDGE_LATER = "intake_form", "file_request", "nudge_done", "nudge_later"

def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def adaptive(body: list[dict], actions: list[dict] | None = None) -> dict:
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
            "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def text(value: str, **style: object) -> dict:
    return {"type": "TextBlock", "text": clip(value, TEXT_LIMIT), "wrap": True, **style}


def submit(title: str, action: str, style: str | None = None, **data: object) -> dict:
    button = {"type": "Action.Submit", "title": clip(title, TITLE_LIMIT), "data": {ACTION: action, **data}}
    if style:
        button["style"] = style
    return button


def link_buttons(links: tuple[Link, ...]) -> dict:
    return {"type": "ActionSet", "actions": [submit(link.title, ENTRY, entry=link.id) for link in links]}


def reply_card(reply: Reply, ask_a_person: str, heading: str | None = None) -> dict:
    body = [text(heading, weight="Bolder")] if heading else []
    if reply.kind is ReplyKind.DECLINE:
        body.append(text(teams(reply.lead or reply.body)))
        if reply.suggestions:
            body += [text("**Did you mean:**"), link_buttons(reply.suggestions)]
        body.append(text(teams(ask_a_person), isSubtle=True))
        return adaptive(body, [submit("Ask a person", ASK_PERSON)])
    body.append(text(teams(reply.body)))
    if reply.source:
        body.append(text(teams(reply.source), isSubtle=True, size="Small"))
    if reply.nearest:
        body.append(link_buttons((reply.nearest,)))
    if reply.related:
        body += [text("**Related questions**", spacing="Medium"), link_buttons(reply.related)]
    actions = []
    if reply.kind is ReplyKind.ANSWER and reply.entry in ABOUT_ALUMNI_ENTRIES:
        actions.append(submit("Ask for an alumni advisor", INTAKE_FORM, style="positive"))
    if reply.kind is ReplyKind.ANSWER and reply.entry:
        actions += [submit("👍 Helpful", VOTE, entry=reply.entry, helpful=True),
                    submit("👎 Not helpful", VOTE, entry=reply.entry, helpful=False)]
    return adaptive(body, actions)


def answer_card(answer: Answer, ask_a_person: str, profile_prompt: str, heading: str | None = None) -> dict:
    card = reply_card(answer.reply, ask_a_person, heading)
    if answer.ask_for_profile:
        card["body"].append(text(teams(profile_prompt), spacing="Medium"))
        card.setdefault("actions", []).append(submit("Set my profile", PROFILE_FORM, style="positive"))
    return card


def notice_card(markdown: str) -> dict:
    """Our own copy (help, confirmations, apologies): neutral Markdown whose filled-in values are escaped."""
    return adaptive([text(teams(markdown))])


def profile_card(years: list[int], class_of: int | None, track: str | None, description: str) -> dict:
    return adaptive([
        text("**Your profile**"), text(escape(description), isSubtle=True),
        {"type": "Input.ChoiceSet", "id": "class_of", "label": "Class of (graduation year)", "isRequired": True,
         "errorMessage": "Choose your class year", "value": str(class_of or ""),
         "choices": [{"title": str(year), "value": str(year)} for year in years]},
        {"type": "Input.ChoiceSet", "id": "track", "label": "Track", "value": track or "",
         "choices": [{"title": label, "value": value} for value, label in TRACK_LABELS.items()]},
    ], [submit("Save", SAVE_PROFILE, style="positive")])


def intake_card(description: str = "") -> dict:
    """The alumni-advisor request form; its nonce makes a double-pressed Send file once."""
    return adaptive([
        text("**Ask for an alumni advisor**"),
        text("The Alumni Liaison reads this and looks for an alum who fits.", isSubtle=True),
        {"type": "Input.Text", "id": "description", "label": "What are you looking for?", "isMultiline": True,
         "isRequired": True, "maxLength": 2000, "value": description,
         "errorMessage": "Tell the liaison a little about what you are looking for"},
        {"type": "Input.Text", "id": "specialty", "label": "Specialty (optional)", "maxLength": 100},
        {"type": "Input.Text", "id": "location", "label": "Location (optional)", "maxLength": 100},
        {"type": "Input.ChoiceSet", "id": "contact", "label": "Kind of contact (optional)",
         "choices": [{"title": kind.capitalize(), "value": kind} for kind in CONTACT_KINDS]},
    ], [submit("Send to the Alumni Liaison", FILE_REQUEST, style="positive", nonce=uuid.uuid4().hex)])


def nudge_card(message: ReadyNudge) -> dict:
    """A nudge: the programme's own copy (Markdown), with Done / Remind me later when it is personal."""
    body = [text(f"**Following up:** {message.text}" if message.follow_up else message.text)]
    if not message.personal:
        return adaptive(body)
    about = f"**{message.category_label}**" if message.category_label else "the programme's calendar"
    body.append(text(f"A reminder about {about} for your phase. Type *nudges* to choose which reminders you get.",
                     isSubtle=True, size="Small"))
    return adaptive(body, [submit("Done", NUDGE_DONE, style="positive", delivery=message.delivery_id),
                           submit("Remind me later", NUDGE_LATER, delivery=message.delivery_id)])
