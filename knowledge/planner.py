"""Which nudges are due when: the calendar's events and the task rules, laid over each class's phases.

Pure planning, no sending: `advisor nudges preview` lists exactly this, and the delivery code sends it.
A nudge is only ever planned inside the phase window it is for, so nobody hears about a phase they are
not in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from knowledge.academic_calendar import AcademicCalendar, PhaseWindow
from knowledge.calendar import month_name
from knowledge.cohorts import Cohort
from knowledge.copy import Markdown
from knowledge.loader import KnowledgeBase
from knowledge.rules import ANNOUNCEMENT_PREFIX, ANNOUNCEMENTS, NudgeRules, task_timing
from knowledge.schema import PHASES, TRACK_LABELS, Entry

SATURDAY = 5


@dataclass(frozen=True)
class Nudge:
    send_at: datetime
    channel: str  # a channel id for announcements, the student's user id for personal tasks, on `platform`
    text: str
    nudge: str  # the rule id
    occurrence: str  # the month it is about, "YYYY-MM": with the rule and channel, the delivery key
    category: str
    grace: timedelta
    phase: str  # the phase it is for: checked again when it is sent
    personal: bool  # a DM to one student (a task), not a class channel announcement
    platform: str = "slack"  # where `channel` is: "slack" or "teams"

    def as_json(self) -> dict:
        return {"send_at": self.send_at.isoformat(), "channel": self.channel, "text": self.text, "nudge": self.nudge}


def month_runs(months: tuple[int, ...]) -> list[int]:
    """The first month of each consecutive run, as listed: (9, 10, 11, 3, 4) -> [9, 3]."""
    starts: list[int] = []
    for index, month in enumerate(months):
        if index == 0 or month != months[index - 1] % 12 + 1:
            starts.append(month)
    return starts


def occurrences(months: tuple[int, ...], window: PhaseWindow, year_of_phase: int | None) -> list[date]:
    """First days of the months (one per run) that fall inside the phase window (and year of the phase)."""
    found = []
    for month in month_runs(months):
        for year in range(window.first_day.year, window.last_day.year + 1):
            day = date(year, month, 1)
            if window.first_day <= day <= window.last_day and year_of_phase in (None, window.year_of_phase(day)):
                found.append(day)
    return sorted(found)


def weekday(day: date, closed: frozenset[str] = frozenset()) -> date:
    """The day itself, or the next weekday that is not a closed day ("MM-DD"): nobody reads nudges then."""
    while day.weekday() >= SATURDAY or f"{day:%m-%d}" in closed:
        day += timedelta(days=1)
    return day


class Planner:
    def __init__(self, kb: KnowledgeBase, calendar: AcademicCalendar, rules: NudgeRules,
                 cohorts: tuple[Cohort, ...], timezone: str):
        self.kb = kb
        self.calendar = calendar
        self.rules = rules
        self.cohorts = cohorts
        self.zone = ZoneInfo(timezone)

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.rules.announcements.grace_hours)

    def at(self, day: date, clock: time | None = None) -> datetime:
        return datetime.combine(day, clock or self.rules.announcements.send_time, tzinfo=self.zone)

    def later(self, moment: datetime, days: int) -> datetime:
        """The send time on the weekday `days` after `moment` (follow-ups and remind-me-later)."""
        return self.at(self.working_day(moment.astimezone(self.zone).date() + timedelta(days=days)))

    def working_day(self, day: date) -> date:
        return weekday(day, self.rules.closed_days)

    def announcements(self, start: date, end: date) -> list[Nudge]:
        rules = self.rules.announcements
        planned = []
        for cohort in self.cohorts:
            for window in self.calendar.windows(cohort.class_of, cohort.track):
                for entry in self.kb.events:
                    if entry.id in rules.skip or not _applies(entry, window.phase, cohort.track):
                        continue
                    for day in (day for months, year in entry.event.schedule()
                                for day in occurrences(months, window, year)):
                        send_on = self.working_day(max(day - timedelta(days=rules.lead_days), window.first_day))
                        if start <= send_on <= end:
                            planned += [Nudge(self.at(send_on), channel, self._announcement(entry, day),
                                              f"{ANNOUNCEMENT_PREFIX}{entry.id}", f"{day:%Y-%m}", ANNOUNCEMENTS,
                                              timedelta(hours=rules.grace_hours), window.phase, False, platform)
                                        for platform, channel in cohort.targets]
        return planned

    def tasks(self, start: date, end: date, classes: dict[tuple[int, str], list[tuple[str, str]]]) -> list[Nudge]:
        """Personal tasks for each rostered student (`classes` maps (class_of, track) to (platform, user id))."""
        planned = []
        for (class_of, track), students in classes.items():
            for window in self.calendar.windows(class_of, track):
                for task in self.rules.tasks:
                    timing = task_timing(self.kb, task)
                    if timing.phase != window.phase or (timing.tracks and track not in timing.tracks):
                        continue
                    for day in (day for months, year in timing.schedule for day in occurrences(months, window, year)):
                        send_on = self.working_day(day)
                        if start <= send_on <= end:
                            planned += [Nudge(self.at(send_on), student, task.text.strip(), task.id, f"{day:%Y-%m}",
                                              task.category, self.grace, window.phase, True, platform)
                                        for platform, student in students]
        return planned

    def plan(self, start: date, end: date, classes: dict[tuple[int, str], list[tuple[str, str]]]) -> list[Nudge]:
        nudges = self.announcements(start, end) + self.tasks(start, end, classes)
        return sorted(nudges, key=lambda n: (n.send_at, n.nudge, n.platform, n.channel))

    def _announcement(self, entry: Entry, day: date) -> str:
        """The class channel's announcement (copy.yaml), filled with the event's own content (Markdown as it is)."""
        event, copy = entry.event, self.kb.copy
        tracks = ", ".join(TRACK_LABELS[t] for t in entry.tracks)
        audience = " " + copy.say("nudge_audience", tracks=tracks) if entry.tracks else ""
        who = " " + copy.say("nudge_presenter", presenter=Markdown(event.presenter)) if event.presenter else ""
        return copy.say("nudge_announcement", month=month_name(day.month), title=Markdown(entry.title),
                        audience=Markdown(audience), presenter=Markdown(who), covers=Markdown(event.covers))


def _applies(entry: Entry, phase: str, track: str) -> bool:
    return entry.applies_to_track(track) and (not entry.phases or phase in entry.phases) and phase in PHASES
