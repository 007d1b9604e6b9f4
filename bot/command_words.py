"""The words of the advisor's commands, shared by Slack's `/advisor` and Teams' typed commands."""

from __future__ import annotations

import re

YEAR = re.compile(r"\b(20\d\d|'?\d\d)\b")
TRACK = re.compile(r"\b(pathways|hst)\b", re.IGNORECASE)
FORGET_WORDS = {"delete", "forget", "clear", "reset"}
ALUMNI_VERBS = {"alumni", "alum", "alumnus", "alumna"}


def profile_words(text: str) -> tuple[str | None, str | None]:
    """The class year and track in "2028 pathways" (either may be missing)."""
    year, track = YEAR.search(text), TRACK.search(text)
    return (year.group(1) if year else None, track.group(1) if track else None)
