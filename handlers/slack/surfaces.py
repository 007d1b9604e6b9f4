"""The App Home tab and the profile modal, built from what the core knows about the student."""

from __future__ import annotations

from bot.core import AdvisorCore, Student
from handlers.slack.alumni_blocks import home_section
from handlers.slack.blocks import (
    OPEN_PROFILE_ACTION,
    button,
    context_block,
    mrkdwn,
    plain,
    question_buttons,
    sections,
)
from handlers.slack.markdown import mrkdwn as rendered
from handlers.slack.nudge_blocks import reminder_settings
from handlers.slack.wording import SlackCopy
from knowledge.schema import TRACK_LABELS
from store.students import Profile

PROFILE_CALLBACK = "advisor_profile"
FORGET_PROFILE_ACTION = "advisor_forget_profile"
CLASS_BLOCK = "class_of"
TRACK_BLOCK = "track"
VALUE_ACTION = "value"


def home_view(core: AdvisorCore, student: Student) -> dict:
    words = SlackCopy(core.texts)
    profile = core.profile(student)
    context = core.context_for(profile)
    blocks: list[dict] = [
        {"type": "header", "text": plain(words.label("home_title"))},
        {"type": "section", "text": mrkdwn(words.text("home_profile", profile=core.describe(profile))),
         "accessory": button(words.label("profile_edit_button" if profile.complete else "profile_button"),
                             OPEN_PROFILE_ACTION, style=None if profile.complete else "primary")},
    ]
    if not profile.complete:
        blocks.append(context_block(rendered(core.copy.profile_prompt)))
    blocks.append({"type": "divider"})
    blocks += sections(rendered(core.upcoming(context).body))
    blocks.append({"type": "divider"})
    blocks.append({"type": "section", "text": mrkdwn(words.text("home_quick_questions"))})
    blocks.append(question_buttons(core.quick_questions(context), "quick_questions"))
    blocks.append({"type": "divider"})
    blocks += reminder_settings(core.nudge_choices(student), words)
    blocks.append({"type": "divider"})
    blocks += home_section(core.request_lines(student), words)
    blocks.append({"type": "divider"})
    blocks.append({"type": "section", "text": mrkdwn(words.text("home_settings"))})
    settings = [button(words.label("profile_edit_button"), OPEN_PROFILE_ACTION)]
    if profile.class_of is not None or profile.track is not None:
        forget = button(words.label("profile_delete_button"), FORGET_PROFILE_ACTION, style="danger")
        forget["confirm"] = {
            "title": plain(words.label("profile_delete_title")),
            "text": plain(words.label("profile_delete_text")),
            "confirm": plain(words.label("profile_delete_confirm")),
            "deny": plain(words.label("profile_delete_keep")),
        }
        settings.append(forget)
    blocks.append({"type": "actions", "block_id": "settings", "elements": settings})
    blocks.append(context_block(words.text("home_footer")))
    return {"type": "home", "blocks": blocks}


def _option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def profile_modal(core: AdvisorCore, profile: Profile) -> dict:
    words = SlackCopy(core.texts)

    def year_option(year: object) -> dict:
        return _option(words.label("profile_class_option", year=year), str(year))

    years = [year_option(year) for year in core.class_years()]
    class_select = {"type": "static_select", "action_id": VALUE_ACTION,
                    "placeholder": plain(words.label("profile_class_placeholder")), "options": years}
    tracks = [_option(label, track) for track, label in TRACK_LABELS.items()]
    track_radio = {"type": "radio_buttons", "action_id": VALUE_ACTION, "options": tracks}
    if profile.class_of is not None and str(profile.class_of) in {o["value"] for o in years}:
        class_select["initial_option"] = year_option(profile.class_of)
    if profile.track is not None:
        track_radio["initial_option"] = _option(TRACK_LABELS[profile.track], profile.track)
    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK,
        "title": plain(words.label("profile_form_title")),
        "submit": plain(words.label("form_save")),
        "close": plain(words.label("form_cancel")),
        "blocks": [
            {"type": "section", "text": mrkdwn(words.text("profile_form_intro"))},
            {"type": "input", "block_id": CLASS_BLOCK, "label": plain(words.label("profile_class_label")),
             "element": class_select},
            {"type": "input", "block_id": TRACK_BLOCK, "label": plain(words.label("profile_track_label")),
             "element": track_radio},
        ],
    }


def submitted_profile(view: dict) -> tuple[str | None, str | None]:
    """The class year and track chosen in a submitted profile modal."""
    values = view.get("state", {}).get("values", {})

    def chosen(block: str) -> str | None:
        selected = values.get(block, {}).get(VALUE_ACTION, {}).get("selected_option")
        return selected.get("value") if selected else None

    return chosen(CLASS_BLOCK), chosen(TRACK_BLOCK)
