"""Neutral Markdown (copy.yaml, the core's replies) for Teams' Markdown, and text that is not ours made inert.

Teams' Markdown is the neutral one, so our copy passes as it is (its filled-in values were escaped by the core).
Entries are still written with Slack's single-star bold (*bold*), which becomes **bold** here.
"""

from __future__ import annotations

import re

SLACK_BOLD = re.compile(r"(?<![*\w\\])\*([^*\n]+?)(?<![\\*])\*(?![*\w])")
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def teams(markdown: str) -> str:
    """Neutral Markdown (and content's *bold*) as Teams Markdown."""
    return SLACK_BOLD.sub(r"**\1**", markdown)


def escape(text: str) -> str:
    """Markdown-inert: every character Markdown or Teams would act on is backslash-escaped."""
    return MARKDOWN.sub(r"\\\1", text)
