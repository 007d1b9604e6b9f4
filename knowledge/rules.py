"""Nudge rules as data (knowledge/content/nudges.yaml), checked against the events calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.loader import ContentError, KnowledgeBase, load_content_file
from knowledge.schema import Phase, Track

RULES_FILE = "nudges.yaml"
ANNOUNCEMENTS = "events"  # the category of class channel announcements; personal categories are in the file
ANNOUNCEMENT_PREFIX = "announce-"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Announcements(_Strict):
    lead_days: int = Field(ge=0, le=60)
    send_time: time
    grace_hours: int = Field(ge=0, le=24 * 14)
    skip: tuple[str, ...] = ()


class Task(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    category: str
    text: str
    about: str | None = Field(default=None, description="the entry a reply to this task is answered against")
    event: str | None = None
    phase: Phase | None = None
    tracks: tuple[Track, ...] = ()
    months: tuple[int, ...] = ()
    year_of_phase: Literal[1, 2] | None = None
    follow_up_days: int = Field(ge=1, le=60)
    max_follow_ups: int = Field(ge=0, le=5)

    @model_validator(mode="after")
    def _when(self) -> Task:
        if (self.event is None) == (self.phase is None or not self.months):
            raise ValueError("give either `event`, or `phase` and `months`")
        return self


class NudgeRules(_Strict):
    announcements: Announcements
    categories: dict[str, str] = Field(min_length=1, description="personal nudge categories a student can turn off")
    remind_later_days: int = Field(default=3, ge=1, le=30)
    closed_days: frozenset[str] = Field(default=frozenset(), description="MM-DD days nothing is sent")
    tasks: tuple[Task, ...] = ()

    @field_validator("closed_days")
    @classmethod
    def _month_days(cls, days: frozenset[str]) -> frozenset[str]:
        for day in days:
            try:
                datetime.strptime(f"2024-{day}", "%Y-%m-%d")
            except ValueError as error:
                raise ValueError(f"closed day {day!r} is not MM-DD") from error
        return days

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)

    def topic(self, nudge: str) -> str | None:
        """The knowledge-base entry a nudge is about: a task's `about` or `event`, an announcement's event."""
        task = self.task(nudge)
        if task is not None:
            return task.about or task.event
        return nudge.removeprefix(ANNOUNCEMENT_PREFIX) if nudge.startswith(ANNOUNCEMENT_PREFIX) else None


@dataclass(frozen=True)
class TaskTiming:
    """When a personal task is due: its phase, its tracks (empty: both) and (months, year of the phase) pairs."""

    phase: str | None
    tracks: tuple[str, ...]
    schedule: tuple[tuple[tuple[int, ...], int | None], ...]

    @property
    def months(self) -> tuple[int, ...]:
        return tuple(month for months, _ in self.schedule for month in months)


def task_timing(kb: KnowledgeBase, task: Task) -> TaskTiming:
    """The task's own timing, or its calendar event's: what the planner sends and the checklist lists."""
    if task.event is None:
        return TaskTiming(task.phase, task.tracks, ((task.months, task.year_of_phase),))
    entry = kb.by_id[task.event]
    phase = task.phase or (entry.phases[0] if len(entry.phases) == 1 else None)
    schedule = ((task.months, task.year_of_phase),) if task.months else entry.event.schedule()
    return TaskTiming(phase, task.tracks or entry.tracks, schedule)


def load_rules(kb: KnowledgeBase, content_dir: Path | None = None) -> NudgeRules:
    rules = load_content_file(RULES_FILE, NudgeRules, content_dir)
    events = {entry.id for entry in kb.events}
    problems = [f"{RULES_FILE}: task {task.id!r} is `about` unknown entry {task.about!r}"
                for task in rules.tasks if task.about and task.about not in kb.by_id]
    problems += [f"{RULES_FILE}: task {task.id!r} names unknown event {task.event!r}"
                for task in rules.tasks if task.event and task.event not in events]
    problems += [f"{RULES_FILE}: announcements.skip names unknown event {event!r}"
                 for event in rules.announcements.skip if event not in events]
    problems += [f"{RULES_FILE}: task {task.id!r} has category {task.category!r}, not one of `categories`"
                 for task in rules.tasks if task.category not in rules.categories]
    ids = [task.id for task in rules.tasks]
    problems += [f"{RULES_FILE}: task id {task_id!r} is used twice" for task_id in set(ids) if ids.count(task_id) > 1]
    if problems:
        raise ContentError(problems)
    return rules
