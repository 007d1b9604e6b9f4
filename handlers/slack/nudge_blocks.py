"""Block Kit for nudges: the message itself, its Done / Remind-me-later buttons, and what a press leaves behind."""

from __future__ import annotations

from bot.nudge_desk import CategoryChoice
from handlers.slack.blocks import FALLBACK_LIMIT, button, clip, context_block, mrkdwn, sections
from handlers.slack.markdown import escape
from scheduler.ports import ReadyNudge

NUDGE_DONE = "advisor_nudge_done"
NUDGE_LATER = "advisor_nudge_later"
NUDGE_CATEGORY = "advisor_nudge_category"
BUTTONS_BLOCK = "nudge_buttons"


def nudge_message(message: ReadyNudge) -> dict:
    """`text` and `blocks` for chat.postMessage. The text is the programme's own copy (mrkdwn, never user input)."""
    text = f"*Following up:* {message.text}" if message.follow_up else message.text
    blocks = sections(text)
    if message.personal:
        value = str(message.delivery_id)
        blocks.append({"type": "actions", "block_id": BUTTONS_BLOCK, "elements": [
            button("Done", NUDGE_DONE, value, style="primary"),
            button("Remind me later", NUDGE_LATER, value),
        ]})
        about = f"*{message.category_label}*" if message.category_label else "the programme's calendar"
        blocks.append(context_block(f"A reminder about {about} for your phase. Reply in this thread with a "
                                    "question, or turn these off with `/advisor nudges`."))
    return {"text": clip(text, FALLBACK_LIMIT), "blocks": blocks}


def after_press(message: dict, outcome: str) -> dict:
    """The nudge as it was, with its buttons replaced by what the press did."""
    blocks = [context_block(outcome) if block.get("block_id") == BUTTONS_BLOCK else block
              for block in message.get("blocks") or []]
    return {"text": message.get("text", ""), "blocks": blocks}


def reminder_settings(choices: list[CategoryChoice]) -> list[dict]:
    """The App Home's reminder switches: one line per category with a button that flips it."""
    blocks = [{"type": "section", "text": mrkdwn("*Your reminders* (personal nudges from the programme calendar)")}]
    for choice in choices:
        state = "on" if choice.on else "off"
        blocks.append({"type": "section", "text": mrkdwn(f"{escape(choice.label)}: *{state}*"),
                       "accessory": button("Turn off" if choice.on else "Turn on",
                                           f"{NUDGE_CATEGORY}_{choice.category}", "off" if choice.on else "on")})
    return blocks

