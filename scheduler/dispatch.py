"""Sending what is due: plan onto the ledger, apply the policy, and hand the rest to the delivery engine.

The scheduler's tick and `advisor nudges send-due` both call `Dispatcher.send_due`; only the holder of
the sender lock acts, so replicas and a manual run never race (so every claim found at the start of a run
is an orphan: no lease is needed). Claiming, sending, recording, halting and recovering orphans are the
delivery engine's (scheduler/engine.py); the platforms are reached through `Messengers` (scheduler/routing),
whose Slack courier also paces the fan-out to Slack's rate limits.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from knowledge.planner import Planner
from scheduler.engine import DeliveryEngine, Report
from scheduler.lock import sender_lock
from scheduler.policy import WEEK, Policy, Standing
from scheduler.ports import DeliveryError, ReadyNudge
from scheduler.routing import Messengers
from store.ledger import FollowUp, Ledger
from store.models import NudgeDelivery
from store.preferences import NudgePreferences
from store.recipients import Recipient
from store.roster import Roster

log = logging.getLogger(__name__)

BATCH = 1000
LOOKBACK = timedelta(days=30)  # after a long outage, how far back missed nudges are still recorded (as skipped)
RETRY_AFTER = timedelta(minutes=1)
TIMEZONE_LOOKUPS_PER_RUN = 50
TIMEZONE_REFRESH = timedelta(days=30)


class LedgerRows:
    """The ledger as the engine's store: recording a send (or finding one) also plans the task's next
    follow-up, in the same transaction; a row not found again waits for its own time."""

    def __init__(self, ledger: Ledger, follow_up):
        self.ledger = ledger
        self.follow_up = follow_up
        self.claim, self.touch, self.orphans = ledger.claim, ledger.touch, ledger.orphans
        self.unsure, self.release, self.postpone, self.fail = ledger.unsure, ledger.release, ledger.defer, ledger.fail

    def sent(self, row: NudgeDelivery, conversation: str | None, ts: str | None, at: datetime) -> None:
        self.ledger.sent(row, at, conversation, ts, self.follow_up(row, at))

    def found(self, row: NudgeDelivery, conversation: str | None, ts: str | None, at: datetime) -> bool:
        return self.ledger.found(row, at, conversation, ts, self.follow_up(row, at))

    def not_found(self, row: NudgeDelivery, at: datetime, reason: str) -> bool:
        return self.ledger.not_found(row, reason)


class Dispatcher:
    def __init__(self, ledger: Ledger, planner: Planner, roster: Roster, preferences: NudgePreferences,
                 policy: Policy, messenger: Messengers, workers: int = 4,
                 retention: timedelta = timedelta(days=400)):
        self.ledger = ledger
        self.planner = planner
        self.roster = roster
        self.preferences = preferences
        self.policy = policy
        self.messenger = messenger
        self.retention = retention
        self.engine = DeliveryEngine("nudges", LedgerRows(ledger, self._follow_up), self._ready, messenger,
                                     workers=workers, backoff=lambda row: RETRY_AFTER, lease=None,
                                     describe=lambda row: f"{row.nudge} to {_whom(row)}")

    def stop(self) -> None:
        """The bot is stopping: a run in progress sends nothing more (what is in flight is recorded); rows not
        yet claimed stay pending for the next run, after the restart."""
        self.engine.stop()

    def tick(self) -> None:
        """The scheduler's job: send what is due now; a failure is logged and the next tick tries again."""
        try:
            report = self.send_due(datetime.now(UTC))
        except Exception:
            log.exception("nudges: the run failed; the next tick retries")
            return
        if report and report.anything:
            log.info("nudges: %s", report.as_json())

    def send_due(self, now: datetime) -> Report | None:
        """Sends everything due at `now` exactly once; None when another sender holds the lock."""
        with sender_lock(self.ledger.engine) as held:
            if not held:
                return None
            report = Report()
            if self.engine.stopping.is_set():
                return report
            self._plan(now, report)
            self._refresh_timezones()
            self.engine.recover(report)
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
                                               or not nudge.personal
                                               or Recipient(nudge.platform, nudge.channel) in owed)]
        report.planned, report.missed = self.ledger.record(nudges, now)
        if report.missed:
            log.warning("nudges: %d message(s) came due while the bot was down and are past their grace window; "
                        "skipped (see `advisor nudges status`)", report.missed)
        self.ledger.set_planned_until(now)

    def _send(self, now: datetime, report: Report) -> None:
        seen: set[int] = set()
        while True:
            rows = [row for row in self.ledger.due(now, BATCH) if row.id not in seen]
            if not rows:
                return
            seen.update(row.id for row in rows)
            if not self.engine.deliver(self._decide(rows, now, report), now, report):
                return

    def _decide(self, rows: list[NudgeDelivery], now: datetime, report: Report) -> list[NudgeDelivery]:
        users = {row.target for row in rows if row.personal}
        standings = self._standings(users, now)
        recent = self.ledger.recent_sends(users, now - WEEK)
        go = []
        for row in rows:
            decision = self.policy.decide(row, now, standings.get(row.target), recent.get(row.target, []))
            if decision.send:
                go.append(row)
                if row.personal:
                    recent.setdefault(row.target, []).append(now)
            elif decision.wait_until is not None:
                self.ledger.defer(row.id, decision.wait_until, "waiting: quiet hours or the weekly cap")
                report.deferred += 1
            else:
                self.ledger.skip(row.id, decision.skip_reason or "skipped")
                log.info("nudges: skipped %s for %s: %s", row.nudge, _whom(row), decision.skip_reason)
                report.skipped += 1
        return go

    def _refresh_timezones(self) -> None:
        for user in self.roster.needing_timezone(datetime.now(UTC) - TIMEZONE_REFRESH, TIMEZONE_LOOKUPS_PER_RUN):
            try:
                self.roster.set_timezone(user, self.messenger.timezone_of(user))
            except DeliveryError as error:
                if not error.permanent:
                    return  # Slack is busy or down: the next run carries on
                self.roster.set_timezone(user, None)  # no such user: the institution's zone, and ask again later

    # ----------------------------------------------------------------- helpers

    def _standings(self, users: set[str], now: datetime) -> dict[str, Standing]:
        """Each student's phase, time zone, opt-outs and tasks done, keyed by the ledger's target."""
        rostered = self.roster.get_many({Recipient.parse(user) for user in users})
        opted_out = self.preferences.opted_out_many(users)
        done = self.ledger.done_tasks(users)
        today = now.astimezone(self.planner.zone).date()
        standings = {}
        for student, row in rostered.items():
            user = student.stored
            window = self.planner.calendar.window_on(row.class_of, row.track, today)
            standings[user] = Standing(
                phase=window.phase if window else None, timezone=row.timezone,
                opted_out=frozenset(opted_out.get(user, ())),
                done=frozenset((nudge, occurrence) for nudge, occurrence, who in done if who == user))
        return standings

    def _follow_up(self, row: NudgeDelivery, sent_at: datetime) -> FollowUp | None:
        task = self.planner.rules.task(row.nudge) if row.personal else None
        if task is None or task.max_follow_ups == 0:
            return None
        due = self.planner.later(sent_at, task.follow_up_days)
        return FollowUp(due, due + self.planner.grace, task.max_follow_ups)

    def _ready(self, row: NudgeDelivery) -> ReadyNudge:
        """Raises DeliveryError when the recipient's platform cannot reach them (no chat with the bot yet)."""
        label = self.planner.rules.categories.get(row.category) if row.personal else None
        to = Recipient.parse(row.target)
        return ReadyNudge(row.id, to, row.text, row.personal, row.round > 0, label,
                          address=self.messenger.address(to, row.personal))


def _whom(row: NudgeDelivery) -> str:
    """For the log: a class channel by its id, never a student."""
    return "a student" if row.personal else row.target
