"""The academic calendar: which phase a class (graduation year and track) is in on a given day.

The windows are data (knowledge/content/academic_calendar.yaml) so staff can change them without code.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.loader import ContentError, load_content_file
from knowledge.schema import PHASES, Phase, Track

CALENDAR_FILE = "academic_calendar.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MonthOfClass(_Strict):
    year: int = Field(ge=-8, le=2, description="relative to the graduation year")
    month: int = Field(ge=1, le=12)

    def index(self) -> int:
        return self.year * 12 + self.month


class Span(_Strict):
    start: MonthOfClass = Field(alias="from")
    end: MonthOfClass = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end.index() < self.start.index():
            raise ValueError("`to` comes before `from`")
        return self


class CalendarFile(_Strict):
    tracks: dict[Track, dict[Phase, Span]]

    @model_validator(mode="after")
    def _complete_and_disjoint(self) -> CalendarFile:
        for track, spans in self.tracks.items():
            missing = [phase for phase in PHASES if phase not in spans]
            if missing:
                raise ValueError(f"track {track}: missing phases {missing}")
            ordered = [spans[phase] for phase in PHASES]
            for before, after in pairwise(ordered):
                if after.start.index() <= before.end.index():
                    raise ValueError(f"track {track}: phases overlap or are out of order")
        return self


@dataclass(frozen=True)
class PhaseWindow:
    phase: str
    first_day: date
    last_day: date

    def year_of_phase(self, day: date) -> int:
        """1 in the phase's first calendar year, 2 in the next (Post-PCE's second year is graduation year)."""
        return day.year - self.first_day.year + 1


class AcademicCalendar:
    def __init__(self, spans: dict[str, dict[str, Span]]):
        self._spans = spans

    def windows(self, class_of: int, track: str) -> list[PhaseWindow]:
        spans = self._spans[track]
        return [_window(phase, spans[phase], class_of) for phase in PHASES]

    def window_on(self, class_of: int, track: str, day: date) -> PhaseWindow | None:
        """The phase the class is in on `day`; None before it starts, between phases or after graduation."""
        for window in self.windows(class_of, track):
            if window.first_day <= day <= window.last_day:
                return window
        return None


def _window(phase: str, span: Span, class_of: int) -> PhaseWindow:
    first = date(class_of + span.start.year, span.start.month, 1)
    end_year = class_of + span.end.year
    last = date(end_year, span.end.month, calendar.monthrange(end_year, span.end.month)[1])
    return PhaseWindow(phase=phase, first_day=first, last_day=last)


def load_academic_calendar(content_dir: Path | None = None) -> AcademicCalendar:
    data = load_content_file(CALENDAR_FILE, CalendarFile, content_dir)
    missing = [track for track in ("pathways", "hst") if track not in data.tracks]
    if missing:
        raise ContentError([f"{CALENDAR_FILE}: no windows for track(s) {', '.join(missing)}"])
    return AcademicCalendar(data.tracks)
