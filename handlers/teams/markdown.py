"""Neutral Markdown (copy.yaml, content, the core's replies) for Teams, and text that is not ours made inert.

Teams' Markdown is the neutral one, so our copy passes as it is (its filled-in values were escaped by the core).
Where Teams shows plain text (button titles, input labels), `plain` drops the markup.
"""

from __future__ import annotations

import re

from knowledge.markdown import plain

__all__ = ["escape", "plain", "teams"]

MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def teams(markdown: str) -> str:
    """Neutral Markdown as Teams Markdown: the same text."""
    return markdown


def escape(text: str) -> str:
    """Markdown-inert: every character Markdown or Teams would act on is backslash-escaped."""
    return MARKDOWN.sub(r"\\\1", text)
