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
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


class Markdown(str):
    """Text that is already neutral Markdown (built from other copy): filled in as it is, not escaped."""


@dataclass(frozen=True)
class Key:
    placeholders: frozenset[str] = frozenset()
    button: bool = False

    @property
    def limit(self) -> int:
        return BUTTON_LIMIT if self.button else TEXT_LIMIT


def _key(*placeholders: str, button: bool = False) -> Key:
    return Key(frozenset(placeholders), button)


KEYS: dict[str, Key] = {
    # commands
    "help": _key(),
    "profile_saved": _key("profile"),
    "profile_invalid": _key("error"),
    "profile_forgotten": _key(),
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
    # the console
    "console_welcome": _key(),
    "console_inbox_title": _key(),
    "console_inbox_none": _key(),
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
