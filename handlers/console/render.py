"""Neutral Markdown (copy.yaml, content, the core's replies) for a terminal: ANSI bold and italic on a terminal,
plain text otherwise; links show their address."""

from __future__ import annotations

import re

from knowledge.markdown import CODE, LINK

_BOLD = re.compile(r"(?<![\\*])\*\*(?![\s*])(.+?)(?<![\\\s*])\*\*(?!\*)")
_ITALIC = re.compile(r"(?<![\w\\*])([*_])(?![\s*_])([^*_\n]+?)(?<![\\\s])\1(?![\w*])")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#|~&])")


def terminal(markdown: str, styled: bool) -> str:
    bold, italic = ("\x1b[1m\\1\x1b[0m", "\x1b[3m\\2\x1b[0m") if styled else (r"\1", r"\2")
    text = LINK.sub(r"\1 (\2)", markdown)
    text = CODE.sub(r"\1", text)
    text = _ITALIC.sub(italic, _BOLD.sub(bold, text))
    return _ESCAPED.sub(r"\1", text)
