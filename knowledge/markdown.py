"""The neutral Markdown the copy and the content are written in (`**bold**`, `*italic*` or `_italic_`, `` `code` ``,
`[label](url)`, `\\` escapes): its grammar once, for every adapter's renderer."""

from __future__ import annotations

import re

EMPHASIS = re.compile(r"(?<![\\*])(\*\*|\*)(?![\s*])(.+?)(?<![\\\s*])\1(?!\*)")  # group 1 the marker, 2 the words
ITALIC = re.compile(r"(?<![\w\\])_([^_\n]+)(?<!\\)_(?!\w)")
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"(?<!\\)\[([^\]\n]+)\]\(([^)\s]+)\)")  # group 1 the label, 2 the address
ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<&])")


def plain(markdown: str) -> str:
    """The words alone (a button, a title, a form label): markup dropped, links shown by their label."""
    text = LINK.sub(r"\1", markdown)
    text = ITALIC.sub(r"\1", EMPHASIS.sub(r"\2", CODE.sub(r"\1", text)))
    return ESCAPED.sub(r"\1", text)
