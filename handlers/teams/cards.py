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
from handlers.teams.markdown import escape, plain, teams
from knowledge.copy import Copy, Markdown
from knowledge.schema import TRACK_LABELS
from scheduler.ports import ReadyNudge
from store.alumni import ABOUT_ALUMNI_ENTRIES, CONTACT_KINDS

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTION = "advisor"
TEXT_LIMIT = 20000  # Teams caps a message at about 28 KB; the card's text stays well below
TITLE_LIMIT = 60
PLATFORM = "teams"

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


class TeamsCopy:
    """copy.yaml's Teams wording: Markdown for TextBlocks, plain text for button titles and input labels."""

    def __init__(self, copy: Copy):
        self.copy = copy

    def text(self, key: str, **values: object) -> str:
        return teams(self.copy.say(key, PLATFORM, **values))

    def label(self, key: str, **values: object) -> str:
        return plain(self.copy.say(key, PLATFORM, **values))


def reply_card(reply: Reply, ask_a_person: str, heading: str | None = None, *, copy: Copy) -> dict:
    words = TeamsCopy(copy)
    body = [text(heading, weight="Bolder")] if heading else []
    if reply.kind is ReplyKind.DECLINE:
        body.append(text(teams(reply.lead or reply.body)))
        if reply.suggestions:
            body += [text(words.text("did_you_mean_heading")), link_buttons(reply.suggestions)]
        body.append(text(teams(ask_a_person), isSubtle=True))
        return adaptive(body, [submit(words.label("ask_person_button"), ASK_PERSON)])
    body.append(text(teams(reply.body)))
    if reply.source:
        body.append(text(teams(reply.source), isSubtle=True, size="Small"))
    if reply.nearest:
        body.append(link_buttons((reply.nearest,)))
    if reply.related:
        body += [text(words.text("related_heading"), spacing="Medium"), link_buttons(reply.related)]
    actions = []
    if reply.kind is ReplyKind.ANSWER and reply.entry in ABOUT_ALUMNI_ENTRIES:
        actions.append(submit(words.label("alumni_button"), INTAKE_FORM, style="positive"))
    if reply.kind is ReplyKind.ANSWER and reply.entry:
        actions += [submit(words.label("vote_helpful_button"), VOTE, entry=reply.entry, helpful=True),
                    submit(words.label("vote_not_helpful_button"), VOTE, entry=reply.entry, helpful=False)]
    return adaptive(body, actions)


def answer_card(answer: Answer, ask_a_person: str, profile_prompt: str, heading: str | None = None, *,
                copy: Copy) -> dict:
    card = reply_card(answer.reply, ask_a_person, heading, copy=copy)
    if answer.ask_for_profile:
        card["body"].append(text(teams(profile_prompt), spacing="Medium"))
        card.setdefault("actions", []).append(submit(TeamsCopy(copy).label("profile_button"),
                                                     PROFILE_FORM, style="positive"))
    return card


def notice_card(markdown: str) -> dict:
    """Our own copy (help, confirmations, apologies): neutral Markdown whose filled-in values are escaped."""
    return adaptive([text(teams(markdown))])


def profile_card(years: list[int], class_of: int | None, track: str | None, description: str, copy: Copy) -> dict:
    words = TeamsCopy(copy)
    return adaptive([
        text(f"**{words.label('profile_form_title')}**"), text(escape(description), isSubtle=True),
        {"type": "Input.ChoiceSet", "id": "class_of", "label": words.label("profile_class_label"), "isRequired": True,
         "errorMessage": words.label("profile_class_needed"), "value": str(class_of or ""),
         "choices": [{"title": str(year), "value": str(year)} for year in years]},
        {"type": "Input.ChoiceSet", "id": "track", "label": words.label("profile_track_label"), "value": track or "",
         "choices": [{"title": label, "value": value} for value, label in TRACK_LABELS.items()]},
    ], [submit(words.label("form_save"), SAVE_PROFILE, style="positive")])


def intake_card(copy: Copy, description: str = "") -> dict:
    """The alumni-advisor request form; its nonce makes a double-pressed Send file once."""
    words = TeamsCopy(copy)
    return adaptive([
        text(f"**{words.label('intake_title')}**"),
        text(words.text("intake_intro"), isSubtle=True),
        {"type": "Input.Text", "id": "description", "label": words.label("intake_description"), "isMultiline": True,
         "isRequired": True, "maxLength": 2000, "value": description,
         "errorMessage": words.label("intake_description_needed")},
        {"type": "Input.Text", "id": "specialty", "label": words.label("intake_specialty"), "maxLength": 100},
        {"type": "Input.Text", "id": "location", "label": words.label("intake_location"), "maxLength": 100},
        {"type": "Input.ChoiceSet", "id": "contact", "label": words.label("intake_contact"),
         "choices": [{"title": words.label(f"contact_{kind}"), "value": kind} for kind in CONTACT_KINDS]},
    ], [submit(words.label("intake_send"), FILE_REQUEST, style="positive", nonce=uuid.uuid4().hex)])


def nudge_card(message: ReadyNudge, copy: Copy) -> dict:
    """A nudge: the programme's own copy (Markdown), with Done / Remind me later when it is personal."""
    words = TeamsCopy(copy)
    body = [text(words.text("nudge_follow_up", text=Markdown(message.text)) if message.follow_up
                 else teams(message.text))]
    if not message.personal:
        return adaptive(body)
    about = words.copy.say("nudge_about_category", PLATFORM, category=message.category_label) \
        if message.category_label else words.copy.say("nudge_about_calendar", PLATFORM)
    body.append(text(words.text("nudge_footer", about=about), isSubtle=True, size="Small"))
    return adaptive(body, [submit(words.label("nudge_done_button"), NUDGE_DONE, style="positive",
                                  delivery=message.delivery_id),
                           submit(words.label("nudge_later_button"), NUDGE_LATER, delivery=message.delivery_id)])
