"""Block Kit for nudges: the message itself, its Done / Remind-me-later buttons, and what a press leaves behind."""

from __future__ import annotations

from bot.nudge_desk import CategoryChoice
from handlers.slack.blocks import FALLBACK_LIMIT, button, clip, context_block, mrkdwn, sections
from handlers.slack.markdown import mrkdwn as rendered
from handlers.slack.wording import SlackCopy
from knowledge.copy import Copy, Markdown
from scheduler.ports import ReadyNudge

NUDGE_DONE = "advisor_nudge_done"
NUDGE_LATER = "advisor_nudge_later"
NUDGE_CATEGORY = "advisor_nudge_category"
BUTTONS_BLOCK = "nudge_buttons"


def nudge_message(message: ReadyNudge, copy: Copy) -> dict:
    """`text` and `blocks` for chat.postMessage. The text is the programme's own copy (Markdown, never user input)."""
    words = SlackCopy(copy)
    body = Markdown(message.text)
    text = words.text("nudge_follow_up", text=body) if message.follow_up else rendered(body)
    blocks = sections(text)
    if message.personal:
        value = str(message.delivery_id)
        blocks.append({"type": "actions", "block_id": BUTTONS_BLOCK, "elements": [
            button(words.label("nudge_done_button"), NUDGE_DONE, value, style="primary"),
            button(words.label("nudge_later_button"), NUDGE_LATER, value),
        ]})
        about = words.markdown("nudge_about_category", category=message.category_label) if message.category_label \
            else words.markdown("nudge_about_calendar")
        blocks.append(context_block(words.text("nudge_footer", about=about)))
    return {"text": clip(text, FALLBACK_LIMIT), "blocks": blocks}


def after_press(message: dict, outcome: str) -> dict:
    """The nudge as it was, with its buttons replaced by what the press did."""
    blocks = [context_block(outcome) if block.get("block_id") == BUTTONS_BLOCK else block
              for block in message.get("blocks") or []]
    return {"text": message.get("text", ""), "blocks": blocks}


def reminder_settings(choices: list[CategoryChoice], words: SlackCopy) -> list[dict]:
    """The App Home's reminder switches: one line per category with a button that flips it."""
    blocks = [{"type": "section", "text": mrkdwn(words.text("home_reminders_title"))}]
    for choice in choices:
        state = words.markdown("reminder_on" if choice.on else "reminder_off")
        blocks.append({"type": "section", "text": mrkdwn(words.text("home_reminder_line", label=choice.label,
                                                                     state=state)),
                       "accessory": button(words.label("reminder_turn_off_button" if choice.on
                                                       else "reminder_turn_on_button"),
                                           f"{NUDGE_CATEGORY}_{choice.category}", "off" if choice.on else "on")})
    return blocks
