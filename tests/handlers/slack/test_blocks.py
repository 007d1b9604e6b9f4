"""Block Kit rendering: Slack's limits hold whatever the content or the student sends."""

from __future__ import annotations

from bot.core import Answer
from bot.replies import Link, Reply, ReplyKind
from handlers.slack.blocks import BUTTON_LIMIT, MAX_BLOCKS, SECTION_LIMIT, answer_message, sections
from handlers.slack.markdown import escape
from knowledge.loader import load_copy


def all_texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            found.append(element["text"]["text"] if isinstance(element.get("text"), dict) else element.get("text", ""))
    return found


def test_escape_neutralises_mentions_links_and_entities():
    assert escape("<!channel> <@U1> <https://x|y> & co") == "&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp; co"


def test_a_very_long_answer_is_split_into_sections_within_the_limit():
    text = "\n\n".join(["word " * 500] * 5) + "\n" + "x" * 7000
    blocks = sections(text)
    assert all(len(block["text"]["text"]) <= SECTION_LIMIT for block in blocks)
    assert "".join(block["text"]["text"] for block in blocks).replace("\n", "") == text.replace("\n", "")


def test_buttons_and_fallback_text_respect_slack_limits():
    long_title = "A title far longer than Slack allows on a button, " * 3
    reply = Reply(question="q", kind=ReplyKind.ANSWER, body="answer " * 2000, source="Source: x", entry="e",
                  related=tuple(Link(id=f"e{n}", title=long_title) for n in range(3)))
    message = answer_message(Answer(reply, ask_for_profile=True), "ask a person", "set profile", copy=load_copy())
    assert len(message["blocks"]) <= MAX_BLOCKS and len(message["text"]) <= 3000
    buttons = [e for b in message["blocks"] for e in b.get("elements", []) + [b.get("accessory") or {}]
               if e.get("type") == "button"]
    assert buttons and all(len(button["text"]["text"]) <= BUTTON_LIMIT for button in buttons)
    assert any(button["action_id"] == "advisor_open_profile" for button in buttons)


def test_a_decline_shows_suggestions_as_buttons_and_a_person_to_ask():
    reply = Reply(question="q", kind=ReplyKind.DECLINE, body="Not sure.\nDid you mean:\n• RASA", lead="Not sure.",
                  suggestions=(Link(id="rasa", title="RASA"),))
    blocks = answer_message(Answer(reply), "Ask your **Society Advisor**", "p", copy=load_copy())["blocks"]
    texts = all_texts(blocks)
    assert "Not sure." in texts and "RASA" in texts and "Ask your *Society Advisor*" in texts
    assert not any("• RASA" in text for text in texts)
