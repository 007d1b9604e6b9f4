"""The sentences students, the liaison and class channels read (copy.yaml), and what the code fills into them.

Copy is neutral Markdown (`**bold**`, `_italic_`, `` `code` ``, `[text](url)`) that each adapter renders for its
platform. A key is one sentence, or a mapping with a `default` and a variant per platform that words it
differently (how a command is invoked: `/advisor alumni` on Slack, typing `alumni` on Teams and the console).
KEYS says which placeholders the code fills into each key, so `advisor kb check` can tell a curator when an edit
lost one or added one nothing fills.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

PLATFORMS = ("slack", "teams", "console")
TEXT_LIMIT = 3000  # a Slack section; Teams and the terminal take more
BUTTON_LIMIT = 60  # a Teams button title (Slack allows 75)
TITLE_LIMIT = 24  # a Slack modal's title and its submit and close buttons
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


class Markdown(str):
    """Text that is already neutral Markdown (built from other copy): filled in as it is, not escaped."""


@dataclass(frozen=True)
class Key:
    placeholders: frozenset[str] = frozenset()
    button: bool = False
    title: bool = False

    @property
    def limit(self) -> int:
        return TITLE_LIMIT if self.title else BUTTON_LIMIT if self.button else TEXT_LIMIT


def _key(*placeholders: str, button: bool = False, title: bool = False) -> Key:
    return Key(frozenset(placeholders), button, title)


KEYS: dict[str, Key] = {
    # commands
    "help": _key(),
    "profile_saved": _key("profile"),
    "profile_invalid": _key("error"),
    "profile_forgotten": _key(),
    "profile_line": _key("year", "track", "phase"),
    "profile_line_roster": _key("year", "track", "phase"),
    "profile_outside_phases": _key(),
    "profile_not_set": _key(),
    "nudges_title": _key(),
    "nudges_line": _key("label", "category", "state"),
    "nudges_tail": _key(),
    "nudges_unknown": _key("known"),
    "nudges_usage": _key(),
    "nudges_month_title": _key("month"),
    "nudges_month_line": _key("day", "text"),
    "nudges_month_none": _key("month"),
    "nudges_month_needs_profile": _key(),
    "nudge_done": _key(),
    "nudge_later": _key("when"),
    "nudge_not_yours": _key(),
    # answers
    "you_asked": _key("question"),
    "answer_gone": _key(),
    "vote_helpful": _key(),
    "vote_not_helpful": _key(),
    "mention_empty": _key(),
    "stale_button": _key(),
    # alumni requests, the student's side
    "alumni_receipt": _key("id"),
    "alumni_invalid": _key("error"),
    "alumni_ask_description": _key(),
    "alumni_form_receipt": _key(),
    "alumni_button": _key(button=True),
    "requests_title": _key(),
    "requests_none": _key(),
    "requests_line": _key("id", "status", "filed", "description"),
    "requests_connected": _key("alumnus"),
    "relayed_to_liaison": _key("id"),
    "draft_dropped": _key(),
    "draft_edit": _key(),
    "check_in_thanks": _key(),
    "check_in_not_yours": _key(),
    # alumni requests, what the liaison's steps tell the student, and the liaison
    "request_claimed": _key(),
    "request_connected": _key("alumnus"),
    "request_connected_notes": _key("notes"),
    "request_closed": _key("reason"),
    "check_in_note": _key("said"),
    "not_liaison": _key(),
    "request_gone": _key(),
    "request_unchanged": _key("id", "status"),
    "form_out_of_date": _key(),
    # the lines around an entry's text (bot/conversation.py)
    "source_line": _key("title", "document"),
    "glossary_answer": _key("term", "expansion", "definition"),
    "checklist_task": _key("when", "title"),
    "checklist_task_done": _key("when", "title", "done"),
    "did_you_mean": _key(),
    "suggestion_line": _key("title"),
    "checklist_question": _key(),
    "checklist_source": _key(),
    "upcoming_question": _key(),
    "calendar_source": _key(),
    "calendar_who_track": _key("phase", "track"),
    "calendar_heading": _key("who", "span"),
    "upcoming_heading": _key("who", "span"),
    "calendar_event": _key("when", "title"),
    "calendar_event_presenter": _key("when", "title", "presenter"),
    "calendar_line": _key("event"),
    "calendar_next": _key("event"),
    "calendar_graduation_year": _key("timing"),
    # nudges: announcements (knowledge/planner.py) and how a reminder is shown
    "nudge_announcement": _key("month", "title", "audience", "presenter", "covers"),
    "nudge_audience": _key("tracks"),
    "nudge_presenter": _key("presenter"),
    "nudge_follow_up": _key("text"),
    "nudge_about_category": _key("category"),
    "nudge_about_calendar": _key(),
    "nudge_footer": _key("about"),
    "nudge_done_button": _key(button=True),
    "nudge_later_button": _key(button=True),
    # answers' buttons and headings
    "did_you_mean_heading": _key(),
    "related_heading": _key(),
    "ask_person_button": _key(button=True),
    "vote_helpful_button": _key(button=True),
    "vote_not_helpful_button": _key(button=True),
    "alumni_offer": _key(),
    # the profile form and the App Home
    "profile_button": _key(button=True),
    "profile_edit_button": _key(button=True),
    "profile_form_title": _key(title=True),
    "profile_form_intro": _key(),
    "profile_class_label": _key(button=True),
    "profile_class_placeholder": _key(button=True),
    "profile_class_needed": _key(button=True),
    "profile_class_option": _key("year", button=True),
    "profile_track_label": _key(button=True),
    "form_save": _key(title=True),
    "form_send": _key(title=True),
    "form_cancel": _key(title=True),
    "home_title": _key(button=True),
    "home_profile": _key("profile"),
    "home_quick_questions": _key(),
    "home_reminders_title": _key(),
    "home_reminder_line": _key("label", "state"),
    "reminder_on": _key(button=True),
    "reminder_off": _key(button=True),
    "reminder_turn_off_button": _key(button=True),
    "reminder_turn_on_button": _key(button=True),
    "home_alumni": _key(),
    "home_requests_title": _key(),
    "home_settings": _key(),
    "profile_delete_button": _key(button=True),
    "profile_delete_title": _key(button=True),
    "profile_delete_text": _key(),
    "profile_delete_confirm": _key(button=True),
    "profile_delete_keep": _key(button=True),
    "home_footer": _key(),
    # alumni requests: the student's form and draft, and the answers to a liaison's question
    "intake_title": _key(title=True),
    "intake_intro": _key(),
    "intake_specialty": _key(button=True),
    "intake_location": _key(button=True),
    "intake_contact": _key(button=True),
    "intake_description": _key(button=True),
    "intake_description_hint": _key(),
    "intake_description_needed": _key(),
    "intake_send": _key(button=True),
    "contact_email": _key(button=True),
    "contact_call": _key(button=True),
    "contact_visit": _key(button=True),
    "contact_shadowing": _key(button=True),
    "draft_title": _key(),
    "draft_question": _key(),
    "draft_send_button": _key(button=True),
    "draft_edit_button": _key(button=True),
    "draft_drop_button": _key(button=True),
    "answer_sent": _key(),
    "answer_not_sent": _key(),
    "liaison_input_invalid": _key("error"),
    # alumni requests: the liaison's card and forms (Slack)
    "card_title": _key("id", button=True),
    "card_student": _key(),
    "card_class": _key(),
    "card_specialty": _key(),
    "card_location": _key(),
    "card_contact": _key(),
    "card_filed": _key(),
    "card_not_given": _key(),
    "card_any": _key(),
    "card_class_of": _key("year"),
    "card_class_not_set": _key(),
    "card_looking_for": _key(),
    "card_status": _key("status"),
    "card_status_connected": _key("status", "alumnus"),
    "card_status_closed": _key("status", "reason"),
    "card_by": _key("who", "when"),
    "card_claimed_by": _key("who"),
    "card_footer": _key(),
    "card_open": _key(),
    "card_claimed": _key(),
    "card_needs_info": _key(),
    "card_connected": _key(),
    "card_closed": _key(),
    "card_claim_button": _key(button=True),
    "card_ask_info_button": _key(button=True),
    "card_connected_button": _key(button=True),
    "card_close_button": _key(button=True),
    "ask_info_title": _key(title=True),
    "ask_info_question": _key(button=True),
    "connected_title": _key(title=True),
    "connected_alumnus": _key(button=True),
    "connected_notes": _key(button=True),
    "connected_notes_hint": _key(),
    "close_title": _key(title=True),
    "close_submit": _key(title=True),
    "close_reason": _key(button=True),
    "liaison_form_request": _key("id"),
    # alumni requests: the liaison's card and forms (Teams), the outbox's headings in the liaison channel
    "card_from": _key("student"),
    "card_the_student": _key(button=True),
    "card_status_since": _key("status", "when"),
    "form_field_needed": _key("field", button=True),
    "digest_heading": _key(),
    "reminder_heading": _key(),
    # alumni requests: messages to the student and the card's thread (Slack)
    "to_student_heading": _key("id", "description"),
    "to_student_footer": _key(),
    "to_student_fallback": _key("id", "text"),
    "relay_heading": _key("id"),
    "relay_footer": _key(),
    "relay_fallback": _key("id", "text"),
    "check_in_question": _key("id", "alumnus"),
    "check_in_an_alum": _key(),
    "check_in_fallback": _key("id"),
    "check_in_helpful_button": _key(button=True),
    "check_in_not_helpful_button": _key(button=True),
    "check_in_not_yet_button": _key(button=True),
    "student_replied": _key(),
    "student_replied_fallback": _key("text"),
    "student_card_summary": _key("id", button=True),
    "relay_answer_label": _key(button=True),
    "relay_answer_needed": _key(button=True),
    "relay_send_button": _key(button=True),
    # the console
    "console_welcome": _key(),
    "console_inbox_title": _key(),
    "console_inbox_none": _key(),
    "console_related": _key("links"),
    "console_related_link": _key("number", "title"),
    "console_pick": _key("numbers"),
    "console_status": _key("phase", "track", "date"),
    "console_not_set": _key(),
    "console_today": _key(),
    "console_error": _key("error"),
}


def escape(value: object) -> str:
    """Any text that is not ours (a student's words, an error naming them), made Markdown-inert."""
    return _MARKDOWN.sub(r"\\\1", str(value))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class Copy:
    """Every key's template per platform; `say` fills one in, escaping what is not already Markdown."""

    def __init__(self, variants: dict[str, dict[str, str]]):
        self.variants = variants

    def template(self, key: str, platform: str) -> str:
        found = self.variants[key]
        return found.get(platform) or found["default"]

    def say(self, key: str, platform: str = "default", **values: object) -> str:
        filled = {name: value if isinstance(value, Markdown) else escape(value) for name, value in values.items()}
        return Markdown(self.template(key, platform).strip().format(**filled))


def problems(copy: Copy, file: str) -> list[str]:
    """What is wrong with the copy: keys missing or unknown, placeholders lost or unknown, text too long."""
    found = []
    for key in sorted(KEYS.keys() - copy.variants.keys()):
        found.append(f"{file}: {key} is missing")
    for key in sorted(copy.variants.keys() - KEYS.keys()):
        found.append(f"{file}: {key} is not a key the advisor uses")
    for key, variants in sorted(copy.variants.items()):
        spec = KEYS.get(key)
        if spec is None:
            continue
        if "default" not in variants:
            found.append(f"{file}: {key} needs a `default` text")
        for platform, template in sorted(variants.items()):
            where = key if platform == "default" else f"{key} ({platform})"
            try:
                named = placeholders(template)
            except ValueError as error:
                found.append(f"{file}: {where} has a broken placeholder: {error}")
                continue
            found += [f"{file}: {where} must contain {{{name}}}" for name in sorted(spec.placeholders - named)]
            unknown = sorted(named - spec.placeholders)
            found += [f"{file}: {where} has {{{name}}}, which nothing fills in" for name in unknown]
            if len(template.strip()) > spec.limit:
                found.append(f"{file}: {where} is {len(template.strip())} characters (limit {spec.limit})")
    return found
