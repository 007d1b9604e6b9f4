"""Assembling the advisor from settings: the one place that knows which parts go together."""

from __future__ import annotations

import math
from functools import cached_property
from typing import TYPE_CHECKING

from bot.conversation import Advisor
from config.settings import Settings
from knowledge.loader import load_knowledge

if TYPE_CHECKING:  # the core loads the database layer, which `advisor ask` never needs
    from bot.core import AdvisorCore


class LazyDeclinedLog:
    """Opens (and migrates) the database only when a question is first declined.

    `advisor ask` then starts without touching the database at all for answered questions.
    """

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def _log(self):
        from store.curation import DeclinedLog
        from store.db import migrated_engine

        return DeclinedLog(migrated_engine(self.settings.database_url), self.settings.declined_retention_days)

    def record(self, text: str, phase: str | None, track: str | None) -> None:
        self._log.record(text, phase, track)


def build_advisor(settings: Settings) -> Advisor:
    kb = load_knowledge(settings.knowledge_dir)
    recorder = LazyDeclinedLog(settings) if settings.declined_retention_days > 0 else None
    from knowledge.academic_calendar import load_academic_calendar
    from knowledge.engine import SearchEngine
    from knowledge.rules import load_rules

    engine = SearchEngine(kb, cache_dir=settings.data_dir / "cache")
    return Advisor(kb, engine=engine, declined=recorder, timezone=settings.institution_timezone,
                   calendar=load_academic_calendar(settings.knowledge_dir),
                   rules=load_rules(kb, settings.knowledge_dir))


def build_core(settings: Settings) -> AdvisorCore:
    """Everything a chat platform adapter needs, on a migrated database."""
    from bot.core import AdvisorCore
    from bot.nudge_desk import NudgeDesk
    from store.db import migrated_engine
    from store.events import EventLog
    from store.feedback import VoteLog
    from store.ledger import Ledger
    from store.preferences import NudgePreferences
    from store.students import ProfileStore

    engine = migrated_engine(settings.database_url)
    advisor = build_advisor(settings)
    planner = build_planner(settings, advisor.kb)
    profiles = ProfileStore(engine, planner.calendar)
    events = EventLog(engine, settings.event_retention_days, lease_seconds=settings.event_lease_seconds)
    nudges = NudgeDesk(Ledger(engine), NudgePreferences(engine), planner)
    return AdvisorCore(advisor, profiles, VoteLog(engine), events, nudges, build_request_desk(settings, profiles),
                       settings.institution_timezone)


def build_request_desk(settings: Settings, profiles):
    """Alumni-advisor requests: the store with its outbox, and who counts as liaison staff."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from bot.alumni_desk import Liaisons, RequestDesk
    from knowledge.loader import load_copy
    from store.alumni import AlumniRequests
    from store.recipients import SLACK, TEAMS, Recipient

    zone = ZoneInfo(settings.institution_timezone)
    liaisons = {Recipient(SLACK, user).stored for user in settings.liaison_user_ids} | \
        {Recipient(TEAMS, user).stored for user in settings.teams.liaison_user_ids}
    return RequestDesk(AlumniRequests(profiles.engine), profiles, Liaisons(frozenset(liaisons)),
                       timedelta(days=settings.alumni_check_in_days), lambda: datetime.now(zone).date(),
                       load_copy(settings.knowledge_dir))


def build_service_level(settings: Settings, requests, kb=None):
    """Reminders for unclaimed requests, the daily digest and retention, on business days of the rules."""
    from datetime import timedelta

    from knowledge.rules import load_rules
    from scheduler.service_level import ServiceLevel, parse_clock

    kb = kb or load_knowledge(settings.knowledge_dir)
    closed_days = load_rules(kb, settings.knowledge_dir).closed_days
    return ServiceLevel(requests, settings.alumni_reminder_business_days, parse_clock(settings.alumni_digest_time),
                        settings.institution_timezone, closed_days,
                        timedelta(days=settings.alumni_request_retention_days))


def build_planner(settings: Settings, kb=None):
    """The nudge planner: knowledge base, academic calendar, rules and cohorts, in the institution's zone."""
    from knowledge.academic_calendar import load_academic_calendar
    from knowledge.cohorts import load_cohorts
    from knowledge.planner import Planner
    from knowledge.rules import load_rules

    kb = kb or load_knowledge(settings.knowledge_dir)
    return Planner(kb, load_academic_calendar(settings.knowledge_dir), load_rules(kb, settings.knowledge_dir),
                   load_cohorts(settings.cohorts_file), settings.institution_timezone)


def send_workers(settings: Settings) -> int:
    """NUDGE_SEND_WORKERS, or enough senders to keep SLACK_POST_RATE while Slack takes up to ~350 ms a call.

    Measured (BENCHMARKS.md): a sender posts about 1 / (latency + 3 ms) messages a second, so 4 workers
    hold 50/s only while Slack answers within 80 ms; idle extra workers cost nothing, the pacer sets the rate.
    """
    return settings.nudge_send_workers or max(2, min(32, math.ceil(settings.slack_post_rate * 0.35)))


def build_dispatcher(settings: Settings, messenger, kb=None):
    """The nudge sender shared by the scheduler's tick and `advisor nudges send-due`."""
    from datetime import timedelta

    from scheduler.dispatch import Dispatcher
    from scheduler.policy import Policy, QuietHours
    from store.db import migrated_engine
    from store.ledger import Ledger
    from store.preferences import NudgePreferences
    from store.roster import Roster

    engine = migrated_engine(settings.database_url)
    planner = build_planner(settings, kb)
    policy = Policy(QuietHours.parse(settings.quiet_hours), settings.nudge_weekly_cap, settings.institution_timezone)
    return Dispatcher(Ledger(engine), planner, Roster(engine), NudgePreferences(engine), policy,
                      messenger, workers=send_workers(settings),
                      retention=timedelta(days=settings.nudge_retention_days))
