"""Neutral Markdown (copy.yaml, content, the core's replies) for Teams, and text that is not ours made inert.

Teams' Markdown is the neutral one, so our copy passes as it is (its filled-in values were escaped by the core).
Where Teams shows plain text (button titles, input labels), `plain` drops the markup.
"""

from __future__ import annotations

import re

MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")
_EMPHASIS = re.compile(r"(?<![\\*])(\*\*|\*)(?![\s*])(.+?)(?<![\\\s*])\1(?!\*)")
_ITALIC = re.compile(r"(?<![\w\\])_([^_\n]+)(?<!\\)_(?!\w)")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"(?<!\\)\[([^\]\n]+)\]\(([^)\s]+)\)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<&])")


def teams(markdown: str) -> str:
    """Neutral Markdown as Teams Markdown: the same text."""
    return markdown


def plain(markdown: str) -> str:
    """Neutral Markdown as plain text (a button title, an input's label): markup dropped."""
    text = _LINK.sub(r"\1", markdown)
    text = _ITALIC.sub(r"\1", _EMPHASIS.sub(r"\2", _CODE.sub(r"\1", text)))
    return _ESCAPED.sub(r"\1", text)


def escape(text: str) -> str:
    """Markdown-inert: every character Markdown or Teams would act on is backslash-escaped."""
    return MARKDOWN.sub(r"\\\1", text)
