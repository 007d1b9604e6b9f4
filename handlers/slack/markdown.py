"""Neutral Markdown (copy.yaml, the core's replies) rendered as Slack mrkdwn, and Slack markup read back as text.

Outbound: `&`, `<` and `>` are escaped first, so nothing in the text can become a mention (`<!channel>`) or a
link; then `**bold**` becomes `*bold*`, `[text](url)` becomes `<url|text>`, and backslash escapes are dropped.
Inbound: what a student types arrives with Slack's markup (`<@U123>`, `<https://x|x>`), unwrapped here, the one
place Slack text enters, before the core reads it.
"""

from __future__ import annotations

import re

_BOLD = re.compile(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*")
_LINK = re.compile(r"(?<!\\)\[([^\]\n]+)\]\((https?://[^)\s]+|mailto:[^)\s]+)\)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]#|~&])")
_SLACK_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>")
_SLACK_TOKEN = re.compile(r"<[@#!][^>]*>|<(?:https?|mailto):[^>]*>")


def escape(text: str) -> str:
    """Neutralise mrkdwn control characters so text is shown, never interpreted as a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(markdown: str) -> str:
    """Neutral Markdown as Slack mrkdwn."""
    text = _LINK.sub(lambda found: f"<{found.group(2)}|{found.group(1)}>", escape(markdown))
    return _ESCAPED.sub(r"\1", _BOLD.sub(r"*\1*", text))


def plain_text(text: str) -> str:
    """A student's Slack message as they meant it: links shown by their label, mentions and channel names dropped."""
    return _SLACK_TOKEN.sub(" ", _SLACK_LINK.sub(r"\1", text or ""))
