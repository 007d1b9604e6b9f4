"""What the advisor knows about the student asking, which makes answers phase-aware."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from knowledge.errors import InputError
from knowledge.schema import PHASES, TRACKS

__all__ = ["InputError", "StudentContext", "parse_date", "parse_phase", "parse_track"]


@dataclass(frozen=True)
class StudentContext:
    phase: str | None = None
    track: str | None = None
    today: date | None = None
    year_of_phase: int | None = None

    def with_changes(self, **changes) -> StudentContext:
        return validated(replace(self, **changes))


PHASE_ALIASES = {
    "preclerkship": "preclerkship", "pre-clerkship": "preclerkship", "pre": "preclerkship",
    "pce": "pce", "clerkship": "pce",
    "post-pce": "post-pce", "postpce": "post-pce", "post": "post-pce",
}


def parse_phase(value: str | None) -> str | None:
    if value is None or value.strip() == "":
        return None
    phase = PHASE_ALIASES.get(value.strip().lower())
    if phase is None:
        raise InputError(f"unknown phase {value!r}: use one of {', '.join(PHASES)}")
    return phase


def parse_track(value: str | None) -> str | None:
    if value is None or value.strip() == "":
        return None
    track = value.strip().lower()
    if track not in TRACKS:
        raise InputError(f"unknown track {value!r}: use one of {', '.join(TRACKS)}")
    return track


def parse_date(value: str | None) -> date | None:
    if value is None or value.strip() == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise InputError(f"invalid date {value!r}: use YYYY-MM-DD") from error


def validated(context: StudentContext) -> StudentContext:
    if context.phase is not None and context.phase not in PHASES:
        raise InputError(f"unknown phase {context.phase!r}")
    if context.track is not None and context.track not in TRACKS:
        raise InputError(f"unknown track {context.track!r}")
    return context
