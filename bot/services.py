"""Assembling the advisor from settings: the one place that knows which parts go together."""

from __future__ import annotations

from functools import cached_property

from bot.conversation import Advisor
from bot.core import AdvisorCore
from bot.settings import Settings
from knowledge.loader import load_knowledge


class LazyDeclinedLog:
    """Opens (and migrates) the database only when a question is first declined.

    `advisor ask` then starts without touching the database at all for answered questions.
    """

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def _log(self):
        from bot.curation import DeclinedLog
        from bot.db import migrated_engine

        return DeclinedLog(migrated_engine(self.settings.database_url), self.settings.declined_retention_days)

    def record(self, text: str, phase: str | None, track: str | None) -> None:
        self._log.record(text, phase, track)


def build_advisor(settings: Settings) -> Advisor:
    kb = load_knowledge(settings.knowledge_dir)
    recorder = LazyDeclinedLog(settings) if settings.declined_retention_days > 0 else None
    return Advisor(kb, declined=recorder, timezone=settings.institution_timezone)


def build_core(settings: Settings) -> AdvisorCore:
    """Everything a chat platform adapter needs, on a migrated database."""
    from bot.db import migrated_engine
    from bot.events import EventLog
    from bot.feedback import VoteLog
    from bot.students import ProfileStore
    from scheduler.academic_calendar import load_academic_calendar

    engine = migrated_engine(settings.database_url)
    profiles = ProfileStore(engine, load_academic_calendar(settings.knowledge_dir))
    events = EventLog(engine, settings.event_retention_days, lease_seconds=settings.event_lease_seconds)
    return AdvisorCore(build_advisor(settings), profiles, VoteLog(engine), events, settings.institution_timezone)
