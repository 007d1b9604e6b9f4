"""Sending what is due: plan onto the ledger, recover orphans, apply the policy, fan out, record.

The scheduler's tick and `advisor nudges send-due` both call `Dispatcher.send_due`; only the holder of
the sender lock acts, so replicas and a manual run never race. Slack is reached through a `Messenger`
(handlers/slack implements it), which also paces the fan-out to Slack's rate limits.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Protocol

from knowledge.planner import Planner
from scheduler.lock import sender_lock
from scheduler.policy import WEEK, Policy, Recipient
from store.ledger import FollowUp, Ledger
from store.models import NudgeDelivery
from store.preferences import NudgePreferences
from store.roster import Roster

log = logging.getLogger(__name__)

BATCH = 1000
LOOKBACK = timedelta(days=30)  # after a long outage, how far back missed nudges are still recorded (as skipped)
RETRY_AFTER = timedelta(minutes=1)
ORPHAN_MARGIN = timedelta(minutes=2)  # clocks differ a little between us and Slack
TIMEZONE_LOOKUPS_PER_RUN = 50
TIMEZONE_REFRESH = timedelta(days=30)


class DeliveryError(Exception):
    """The platform refused or could not take a message. Permanent ones (no such channel) are not retried.

    `maybe_sent`: the outcome is unknown (a 5xx, a dropped connection or a timeout after the request went
    out): the platform may have posted it, so it is looked up before it is ever sent again.
    `refused`: the platform answered and would not take this message (as opposed to being unreachable or
    failing): sending the same again will not help, though other words might.
    """

    def __init__(self, reason: str, permanent: bool, maybe_sent: bool = False, refused: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.maybe_sent = maybe_sent and not permanent
        self.refused = refused or permanent


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    target: str  # a channel id, or a user id for a DM
    text: str
    personal: bool
    follow_up: bool
    category_label: str | None


@dataclass(frozen=True)
class Posted:
    conversation: str
    ts: str


class Messenger(Protocol):
    def send(self, message: Outgoing) -> Posted: ...

    def find(self, message: Outgoing, since: datetime) -> Posted | None:
        """The message if it was already posted (a sender died before recording it), else None."""

    def timezone_of(self, user_id: str) -> str | None: ...


@dataclass
class Report:
    planned: int = 0
    missed: int = 0
    recovered: int = 0
    sent: int = 0
    deferred: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0

    def as_json(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


class Dispatcher:
    def __init__(self, ledger: Ledger, planner: Planner, roster: Roster, preferences: NudgePreferences,
                 policy: Policy, messenger: Messenger, workers: int = 4,
                 retention: timedelta = timedelta(days=400)):
        self.ledger = ledger
        self.planner = planner
        self.roster = roster
        self.preferences = preferences
        self.policy = policy
        self.messenger = messenger
        self.workers = workers
        self.retention = retention
        self._counting = threading.Lock()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """The bot is stopping: a run in progress sends nothing more (what is in flight is recorded); rows not
        yet claimed stay pending for the next run, after the restart."""
        self._stopping.set()

    def tick(self) -> None:
        """The scheduler's job: send what is due now; a failure is logged and the next tick tries again."""
        try:
            report = self.send_due(datetime.now(UTC))
        except Exception:
            log.exception("nudges: the run failed; the next tick retries")
            return
        if report and (report.sent or report.skipped or report.failed or report.recovered):
            log.info("nudges: %s", report.as_json())

    def send_due(self, now: datetime) -> Report | None:
        """Sends everything due at `now` exactly once; None when another sender holds the lock."""
        with sender_lock(self.ledger.engine) as held:
            if not held:
                return None
            report = Report()
            if self._stopping.is_set():
                return report
            self._plan(now, report)
            self._refresh_timezones()
            self._recover_orphans(now, report)
            self._send(now, report)
            self.ledger.purge(now - self.retention)
            return report

    # ----------------------------------------------------------------- steps

    def _plan(self, now: datetime, report: Report) -> None:
        """Records what came due since the last run. Only new nudges are written: earlier ones are on the
        ledger already, except for students rostered since, who are owed what is still within its grace."""
        planned_until = self.ledger.planned_until()
        start = now - self.planner.grace if planned_until is None else min(max(planned_until, now - LOOKBACK), now)
        zone = self.planner.zone
        owed = self.roster.changed_since(planned_until) if planned_until else set()
        nudges = [nudge for nudge in self.planner.plan(start.astimezone(zone).date(), now.astimezone(zone).date(),
                                                       self.roster.by_class())
                  if nudge.send_at <= now and (planned_until is None or nudge.send_at > planned_until
                                               or not nudge.personal or nudge.channel in owed)]
        report.planned, report.missed = self.ledger.record(nudges, now)
        if report.missed:
            log.warning("nudges: %d message(s) came due while the bot was down and are past their grace window; "
                        "skipped (see `advisor nudges status`)", report.missed)
        self.ledger.set_planned_until(now)

    def _recover_orphans(self, now: datetime, report: Report) -> None:
        for row in self.ledger.orphans():
            since = (row.claimed_at or row.due_at) - ORPHAN_MARGIN
            try:
                posted = self.messenger.find(self._outgoing(row), since)
            except DeliveryError as error:
                log.warning("nudges: cannot check delivery %d yet (%s); it stays held", row.id, error.reason)
                continue
            if posted is None:
                self.ledger.release(row.id, row.due_at, "resending: its sender stopped before Slack took it")
            else:
                self.ledger.sent(row, now, posted.conversation, posted.ts, self._follow_up(row, now))
                report.recovered += 1

    def _send(self, now: datetime, report: Report) -> None:
        seen: set[int] = set()
        while True:
            rows = [row for row in self.ledger.due(now, BATCH) if row.id not in seen]
            if not rows:
                return
            seen.update(row.id for row in rows)
            if not self._fan_out(self._decide(rows, now, report), now, report):
                return

    def _decide(self, rows: list[NudgeDelivery], now: datetime, report: Report) -> list[NudgeDelivery]:
        users = {row.target for row in rows if row.personal}
        recipients = self._recipients(users, now)
        recent = self.ledger.recent_sends(users, now - WEEK)
        go = []
        for row in rows:
            decision = self.policy.decide(row, now, recipients.get(row.target), recent.get(row.target, []))
            if decision.send:
                go.append(row)
                if row.personal:
                    recent.setdefault(row.target, []).append(now)
            elif decision.wait_until is not None:
                self.ledger.defer(row.id, decision.wait_until, "waiting: quiet hours or the weekly cap")
                report.deferred += 1
            else:
                self.ledger.skip(row.id, decision.skip_reason or "skipped")
                log.info("nudges: skipped %s for %s: %s", row.nudge, "a student" if row.personal else row.target,
                         decision.skip_reason)
                report.skipped += 1
        return go

    def _fan_out(self, rows: list[NudgeDelivery], now: datetime, report: Report) -> bool:
        """Sends in parallel (the messenger paces); stops early when Slack is failing. False if it stopped.

        Sending times are `now` plus the time the fan-out has taken, so a run for a given moment
        (`send-due --now`) keeps the ledger consistent with that moment.
        """
        halt = threading.Event()
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="nudge-send") as pool:
            list(pool.map(lambda row: self._deliver(row, now, started, report, halt), rows))
        return not halt.is_set()

    def _deliver(self, row: NudgeDelivery, now: datetime, started: float, report: Report,
                 halt: threading.Event) -> None:
        if self._stopping.is_set():
            halt.set()
        if halt.is_set() or not self.ledger.claim(row.id):
            return
        try:
            posted = self.messenger.send(self._outgoing(row))
        except DeliveryError as error:
            self._count(report, "failed" if error.permanent else "retrying")
            if error.maybe_sent:
                halt.set()  # Slack took it or not, and cannot say which: it is failing; the next run looks first
                self.ledger.unsure(row.id, f"unsure: {error.reason}")
            elif error.permanent:
                log.warning("nudges: %s to %s failed for good: %s", row.nudge,
                            "a student" if row.personal else row.target, error.reason)
                self.ledger.fail(row.id, f"failed: {error.reason}")
            else:
                halt.set()
                self.ledger.release(row.id, now + RETRY_AFTER, f"retrying: {error.reason}")
            return
        except Exception:
            halt.set()
            self.ledger.release(row.id, now + RETRY_AFTER, "retrying: unexpected error")
            log.exception("nudges: sending delivery %d failed; it will be retried", row.id)
            return
        sent_at = now + timedelta(seconds=time.monotonic() - started)
        self.ledger.sent(row, sent_at, posted.conversation, posted.ts, self._follow_up(row, sent_at))
        self._count(report, "sent")

    def _refresh_timezones(self) -> None:
        for user in self.roster.needing_timezone(datetime.now(UTC) - TIMEZONE_REFRESH, TIMEZONE_LOOKUPS_PER_RUN):
            try:
                self.roster.set_timezone(user, self.messenger.timezone_of(user))
            except DeliveryError as error:
                if not error.permanent:
                    return  # Slack is busy or down: the next run carries on
                self.roster.set_timezone(user, None)  # no such user: the institution's zone, and ask again later

    # ----------------------------------------------------------------- helpers

    def _count(self, report: Report, name: str) -> None:
        with self._counting:
            setattr(report, name, getattr(report, name) + 1)

    def _recipients(self, users: set[str], now: datetime) -> dict[str, Recipient]:
        rostered = self.roster.get_many(users)
        opted_out = self.preferences.opted_out_many(users)
        done = self.ledger.done_tasks(users)
        today = now.astimezone(self.planner.zone).date()
        recipients = {}
        for user, student in rostered.items():
            window = self.planner.calendar.window_on(student.class_of, student.track, today)
            recipients[user] = Recipient(
                phase=window.phase if window else None, timezone=student.timezone,
                opted_out=frozenset(opted_out.get(user, ())),
                done=frozenset((nudge, occurrence) for nudge, occurrence, who in done if who == user))
        return recipients

    def _follow_up(self, row: NudgeDelivery, sent_at: datetime) -> FollowUp | None:
        task = self.planner.rules.task(row.nudge) if row.personal else None
        if task is None or task.max_follow_ups == 0:
            return None
        due = self.planner.later(sent_at, task.follow_up_days)
        return FollowUp(due, due + self.planner.grace, task.max_follow_ups)

    def _outgoing(self, row: NudgeDelivery) -> Outgoing:
        label = self.planner.rules.categories.get(row.category) if row.personal else None
        return Outgoing(row.id, row.target, row.text, row.personal, row.round > 0, label)
