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
from handlers.slack.markdown import escape
from handlers.slack.nudge_blocks import reminder_settings
from knowledge.schema import TRACK_LABELS
from store.students import Profile

PROFILE_CALLBACK = "advisor_profile"
FORGET_PROFILE_ACTION = "advisor_forget_profile"
CLASS_BLOCK = "class_of"
TRACK_BLOCK = "track"
VALUE_ACTION = "value"


def home_view(core: AdvisorCore, student: Student) -> dict:
    profile = core.profile(student)
    context = core.context_for(profile)
    blocks: list[dict] = [
        {"type": "header", "text": plain("Career Planning advisor")},
        {"type": "section", "text": mrkdwn(f"*Your profile:* {escape(core.describe(profile))}"),
         "accessory": button("Edit profile" if profile.complete else "Set my profile", OPEN_PROFILE_ACTION,
                             style=None if profile.complete else "primary")},
    ]
    if not profile.complete:
        blocks.append(context_block(escape(core.copy.profile_prompt)))
    blocks.append({"type": "divider"})
    blocks += sections(escape(core.upcoming(context).body))
    blocks.append({"type": "divider"})
    blocks.append({"type": "section", "text": mrkdwn("*Quick questions* (the answer arrives in our DM)")})
    blocks.append(question_buttons(core.quick_questions(context), "quick_questions"))
    blocks.append({"type": "divider"})
    blocks += reminder_settings(core.nudge_choices(student))
    blocks.append({"type": "divider"})
    blocks += home_section(core.requests.mine(student.platform, student.user_id), core.timezone)
    blocks.append({"type": "divider"})
    blocks.append({"type": "section", "text": mrkdwn("*Your settings*")})
    settings = [button("Edit profile", OPEN_PROFILE_ACTION)]
    if profile.class_of is not None or profile.track is not None:
        forget = button("Delete my profile", FORGET_PROFILE_ACTION, style="danger")
        forget["confirm"] = {
            "title": plain("Delete your profile?"),
            "text": plain("The advisor forgets your class year and track. You can set them again at any time."),
            "confirm": plain("Delete"),
            "deny": plain("Keep"),
        }
        settings.append(forget)
    blocks.append({"type": "actions", "block_id": "settings", "elements": settings})
    blocks.append(context_block("Answers come from the Career Planning Program's pages. "
                                "Message me any time, or type `/advisor help`."))
    return {"type": "home", "blocks": blocks}


def _option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def profile_modal(core: AdvisorCore, profile: Profile) -> dict:
    years = [_option(f"Class of {year}", str(year)) for year in core.class_years()]
    class_select = {"type": "static_select", "action_id": VALUE_ACTION, "placeholder": plain("Graduation year"),
                    "options": years}
    tracks = [_option(label, track) for track, label in TRACK_LABELS.items()]
    track_radio = {"type": "radio_buttons", "action_id": VALUE_ACTION, "options": tracks}
    if profile.class_of is not None and str(profile.class_of) in {o["value"] for o in years}:
        class_select["initial_option"] = _option(f"Class of {profile.class_of}", str(profile.class_of))
    if profile.track is not None:
        track_radio["initial_option"] = _option(TRACK_LABELS[profile.track], profile.track)
    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK,
        "title": plain("Your profile"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": mrkdwn(
                "Your class year and track tell the advisor which phase you are in, so answers and reminders "
                "fit you. Nothing else is stored.")},
            {"type": "input", "block_id": CLASS_BLOCK, "label": plain("Class of (graduation year)"),
             "element": class_select},
            {"type": "input", "block_id": TRACK_BLOCK, "label": plain("Track"), "element": track_radio},
        ],
    }


def submitted_profile(view: dict) -> tuple[str | None, str | None]:
    """The class year and track chosen in a submitted profile modal."""
    values = view.get("state", {}).get("values", {})

    def chosen(block: str) -> str | None:
        selected = values.get(block, {}).get(VALUE_ACTION, {}).get("selected_option")
        return selected.get("value") if selected else None

    return chosen(CLASS_BLOCK), chosen(TRACK_BLOCK)
