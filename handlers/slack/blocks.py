"""Core replies as Block Kit messages, within Slack's limits, with every piece of text escaped.

Slack's mrkdwn treats `<...>` as links and mentions (`<!channel>`, `<@U123>`) and `&` as an entity, so any
text that is not ours (the student's words) or not written for Slack (content) is escaped before it is
shown. Limits: https://api.slack.com/reference/block-kit/blocks (section text 3000, buttons 75, 50 blocks).
"""

from __future__ import annotations

from bot.core import Answer
from bot.replies import Link, Reply, ReplyKind
from handlers.slack.markdown import mrkdwn as rendered
from handlers.slack.wording import SlackCopy
from knowledge.copy import Copy
from store.alumni import ABOUT_ALUMNI_ENTRIES

SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
VALUE_LIMIT = 2000
FALLBACK_LIMIT = 3000
MAX_BLOCKS = 50
ELLIPSIS = "…"

ENTRY_ACTION = "advisor_entry"
QUICK_ACTION = "advisor_quick"
VOTE_HELPFUL = "advisor_vote_helpful"
VOTE_NOT_HELPFUL = "advisor_vote_not_helpful"
ASK_PERSON_ACTION = "advisor_ask_person"
OPEN_PROFILE_ACTION = "advisor_open_profile"
OPEN_INTAKE_ACTION = "alumni_open_intake"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": clip(text, BUTTON_LIMIT), "emoji": True}


def sections(text: str) -> list[dict]:
    """Long text split at paragraph (else line) boundaries into sections of at most 3000 characters."""
    chunks: list[str] = []
    for paragraph in text.split("\n\n"):
        for piece in _pieces(paragraph):
            if chunks and len(chunks[-1]) + 2 + len(piece) <= SECTION_LIMIT:
                chunks[-1] += "\n\n" + piece
            else:
                chunks.append(piece)
    return [{"type": "section", "text": mrkdwn(chunk)} for chunk in chunks if chunk.strip()]


def _pieces(paragraph: str) -> list[str]:
    if len(paragraph) <= SECTION_LIMIT:
        return [paragraph]
    pieces: list[str] = []
    for line in paragraph.split("\n"):
        while len(line) > SECTION_LIMIT:
            pieces.append(line[:SECTION_LIMIT])
            line = line[SECTION_LIMIT:]
        if pieces and len(pieces[-1]) + 1 + len(line) <= SECTION_LIMIT:
            pieces[-1] += "\n" + line
        else:
            pieces.append(line)
    return pieces


def context_block(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(clip(text, SECTION_LIMIT))]}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    element = {"type": "button", "text": plain(text), "action_id": action_id, "value": value[:VALUE_LIMIT]}
    if style:
        element["style"] = style
    return element


def link_buttons(links: tuple[Link, ...], block_id: str) -> dict:
    """Buttons that open entries; action ids differ per button because Slack wants them unique in a block."""
    return {"type": "actions", "block_id": block_id,
            "elements": [button(link.title, f"{ENTRY_ACTION}_{n}", link.id) for n, link in enumerate(links)]}


def question_buttons(questions: tuple[str, ...], block_id: str) -> dict:
    return {"type": "actions", "block_id": block_id,
            "elements": [button(q, f"{QUICK_ACTION}_{n}", q) for n, q in enumerate(questions)]}


def reply_blocks(reply: Reply, ask_a_person: str, words: SlackCopy) -> list[dict]:
    if reply.kind is ReplyKind.DECLINE:
        blocks = sections(rendered(reply.lead or reply.body))
        if reply.suggestions:
            blocks.append({"type": "section", "text": mrkdwn(words.text("did_you_mean_heading"))})
            blocks.append(link_buttons(reply.suggestions, "suggestions"))
        blocks.append({"type": "section", "text": mrkdwn(rendered(ask_a_person)),
                       "accessory": button(words.label("ask_person_button"), ASK_PERSON_ACTION)})
        return blocks
    blocks = sections(rendered(reply.body))
    if reply.source:
        blocks.append(context_block(rendered(reply.source)))
    if reply.nearest:
        blocks.append(link_buttons((reply.nearest,), "nearest"))
    if reply.related:
        blocks.append({"type": "section", "text": mrkdwn(words.text("related_heading"))})
        blocks.append(link_buttons(reply.related, "related"))
    if reply.kind is ReplyKind.ANSWER and reply.entry in ABOUT_ALUMNI_ENTRIES:
        blocks.append({"type": "section", "text": mrkdwn(words.text("alumni_offer")),
                       "accessory": button(words.label("alumni_button"), OPEN_INTAKE_ACTION, style="primary")})
    if reply.kind is ReplyKind.ANSWER and reply.entry:
        blocks.append({"type": "actions", "block_id": "vote", "elements": [
            button(words.label("vote_helpful_button"), VOTE_HELPFUL, reply.entry),
            button(words.label("vote_not_helpful_button"), VOTE_NOT_HELPFUL, reply.entry),
        ]})
    return blocks


def profile_prompt_blocks(prompt: str, words: SlackCopy) -> list[dict]:
    return [{"type": "section", "text": mrkdwn(rendered(prompt)),
             "accessory": button(words.label("profile_button"), OPEN_PROFILE_ACTION, style="primary")}]


def answer_message(answer: Answer, ask_a_person: str, profile_prompt: str, heading: str | None = None, *,
                   copy: Copy) -> dict:
    """`text` and `blocks` for chat.postMessage / respond: the reply, and the one-time profile prompt."""
    words = SlackCopy(copy)
    blocks = [{"type": "section", "text": mrkdwn(rendered(heading))}] if heading else []
    blocks += reply_blocks(answer.reply, ask_a_person, words)
    if answer.ask_for_profile:
        blocks += profile_prompt_blocks(profile_prompt, words)
    return {"text": clip(rendered(answer.reply.text), FALLBACK_LIMIT), "blocks": blocks[:MAX_BLOCKS]}


def notice(markdown: str) -> dict:
    """A short message of our own copy (help, confirmations, apologies), from neutral Markdown."""
    text = rendered(markdown)
    return {"text": clip(text, FALLBACK_LIMIT), "blocks": sections(text)[:MAX_BLOCKS]}


def reply_message(reply: Reply, ask_a_person: str, copy: Copy) -> dict:
    """An answer without the one-time profile prompt (`/advisor upcoming`, `/advisor checklist`)."""
    blocks = reply_blocks(reply, ask_a_person, SlackCopy(copy))
    return {"text": clip(rendered(reply.text), FALLBACK_LIMIT), "blocks": blocks[:MAX_BLOCKS]}
