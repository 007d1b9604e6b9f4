"""Typed shape of the curated content, so a typo in a YAML file fails loudly at load time."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

Phase = Literal["preclerkship", "pce", "post-pce"]
Track = Literal["pathways", "hst"]

PHASES: tuple[Phase, ...] = ("preclerkship", "pce", "post-pce")
TRACKS: tuple[Track, ...] = ("pathways", "hst")
PHASE_LABELS: dict[str, str] = {"preclerkship": "Preclerkship", "pce": "PCE", "post-pce": "Post-PCE"}
TRACK_LABELS: dict[str, str] = {"pathways": "Pathways", "hst": "HST"}

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    document: str
    section: str


class EventInfo(_Strict):
    """When and for whom an event runs: the structured calendar that answers and nudges share."""

    months: tuple[int, ...] = Field(min_length=1)
    timing: str
    year_of_phase: Literal[1, 2] | None = None
    # When the months differ by year of the phase ("fall and spring for first-years, summer for second-years"):
    # each year's months; `months` is then all of them, and `year_of_phase` is not set.
    months_by_year: dict[Literal[1, 2], tuple[int, ...]] | None = None
    audience: str
    presenter: str | None = None
    covers: str

    @field_validator("months")
    @classmethod
    def _months_in_range(cls, months: tuple[int, ...]) -> tuple[int, ...]:
        bad = [m for m in months if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"months must be 1-12, got {bad}")
        return months

    @model_validator(mode="after")
    def _years_cover_the_months(self) -> EventInfo:
        if self.months_by_year is None:
            return self
        if self.year_of_phase is not None:
            raise ValueError("give either year_of_phase or months_by_year")
        listed = {m for months in self.months_by_year.values() for m in months}
        if listed != set(self.months):
            raise ValueError(f"months_by_year lists {sorted(listed)} but months are {sorted(self.months)}")
        return self

    def schedule(self) -> tuple[tuple[tuple[int, ...], int | None], ...]:
        """(months, year of the phase or None for any) pairs: when the event happens, for the planner."""
        if self.months_by_year:
            return tuple((months, year) for year, months in sorted(self.months_by_year.items()))
        return ((self.months, self.year_of_phase),)

    def happens(self, month: int, year_of_phase: int | None) -> bool:
        """In this month, for a student in this year of the phase (None: any year)."""
        return any(month in months and (year_of_phase is None or year in (None, year_of_phase))
                   for months, year in self.schedule())


class Entry(_Strict):
    id: str
    title: str
    questions: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    answer: str
    phases: tuple[Phase, ...] = ()
    tracks: tuple[Track, ...] = ()
    source: Source
    last_verified: date
    related: tuple[str, ...] = ()
    event: EventInfo | None = None
    ask: str | None = None  # the office or role that can give what the pages do not ("the Office of Student Affairs")

    @field_validator("id")
    @classmethod
    def _kebab_case(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(f"id {value!r} must be lowercase kebab-case")
        return value

    @field_validator("answer")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    def applies_to_phase(self, phase: str | None) -> bool:
        return phase is None or not self.phases or phase in self.phases

    def applies_to_track(self, track: str | None) -> bool:
        return track is None or not self.tracks or track in self.tracks


class GlossaryTerm(_Strict):
    term: str
    expansion: str
    aliases: tuple[str, ...] = ()
    definition: str
    entry: str | None = None


class Synonym(_Strict):
    """Everyday words students use for a word the content uses ("deadline" for "timeline")."""

    word: str
    means: tuple[str, ...] = Field(min_length=1)


class GlossaryFile(_Strict):
    terms: tuple[GlossaryTerm, ...]
    synonyms: tuple[Synonym, ...] = ()
    neutral_words: tuple[str, ...] = ()


class SmallTalk(_Strict):
    """Product copy that is not programme content: greetings, help, declines, who to ask."""

    greeting: str
    thanks: str
    help: str
    empty: str
    decline: str
    ask_a_person: str
    calendar_needs_phase: str
    calendar_nothing: str
    cannot_act: str
    no_opinions: str
    profile_prompt: str
    apology: str
    other_school: str
    commercial: str
    clinical: str
    not_given: str
    not_given_says: str
    not_given_ask: str
    ask_default: str
    details: dict[Literal["when", "date", "time", "where", "who", "role", "contact", "apply", "link", "number",
                          "often", "duration", "money"], str]
    assumed_phase: str
    checklist_title: str
    checklist_tasks: str
    checklist_no_tasks: str
    checklist_coming_up: str
    checklist_needs_phase: str
    checklist_done: str
    quick_questions: dict[Literal["any", "preclerkship", "pce", "post-pce"], tuple[str, ...]]

    @field_validator("quick_questions")
    @classmethod
    def _any_present(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if not value.get("any"):
            raise ValueError("quick_questions needs an `any` list (used when the phase is unknown)")
        return value


OutOfScope = Literal["other_school", "commercial", "clinical"]
CopyPlatform = Literal["default", "slack", "teams", "console"]


class CopyFile(RootModel[dict[str, str | dict[CopyPlatform, str]]]):
    """copy.yaml: each key a text, or a `default` text and per-platform variants (see knowledge/copy.py)."""

    def variants(self) -> dict[str, dict[str, str]]:
        return {key: value if isinstance(value, dict) else {"default": value} for key, value in self.root.items()}


class ChatLanguage(_Strict):
    """How students write in chat (chat.yaml): what to read past, and what places them in a phase."""

    fillers: tuple[str, ...] = ()
    slang: dict[str, str] = {}
    years: dict[Literal[1, 2, 3, 4], tuple[str, ...]] = {}
    self_markers: tuple[str, ...] = ()
    self_suffixes: tuple[str, ...] = ()
    phase_statements: dict[Phase, tuple[str, ...]] = {}
    out_of_scope: dict[OutOfScope, tuple[str, ...]] = {}


class SourcesFile(_Strict):
    """Labels students see for each source document named in an entry's `source.document`."""

    documents: dict[str, str]
