"""Neutral Markdown (copy.yaml, content, the core's replies) rendered as Slack mrkdwn, and Slack markup read back.

Outbound: `&`, `<` and `>` are escaped first, so nothing in the text can become a mention (`<!channel>`) or a
link; then `**bold**` becomes `*bold*`, `*italic*` becomes `_italic_`, `[text](url)` becomes `<url|text>`, and
backslash escapes are dropped. `plain` is the same text without markup, for Slack's plain_text fields (titles,
labels, buttons). Inbound: what a student types arrives with Slack's markup (`<@U123>`, `<https://x|x>`),
unwrapped here, the one place Slack text enters, before the core reads it.
"""

from __future__ import annotations

import re

from knowledge.markdown import EMPHASIS, plain

__all__ = ["escape", "mrkdwn", "plain", "plain_text"]

_LINK = re.compile(r"(?<!\\)\[([^\]\n]+)\]\((https?://[^)\s]+|mailto:[^)\s]+)\)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#|~&])")
_SLACK_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>")
_SLACK_TOKEN = re.compile(r"<[@#!][^>]*>|<(?:https?|mailto):[^>]*>")


def escape(text: str) -> str:
    """Neutralise mrkdwn control characters so text is shown, never interpreted as a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _emphasis(found: re.Match[str]) -> str:
    return f"*{found.group(2)}*" if found.group(1) == "**" else f"_{found.group(2)}_"


def mrkdwn(markdown: str) -> str:
    """Neutral Markdown as Slack mrkdwn."""
    text = _LINK.sub(lambda found: f"<{found.group(2)}|{found.group(1)}>", escape(markdown))
    return _ESCAPED.sub(r"\1", EMPHASIS.sub(_emphasis, text))


def plain_text(text: str) -> str:
    """A student's Slack message as they meant it: links shown by their label, mentions and channel names dropped."""
    return _SLACK_TOKEN.sub(" ", _SLACK_LINK.sub(r"\1", text or ""))
