"""The delivery ledger: the database's record of every nudge, the one source of truth for what was sent.

A row is written when a nudge is planned, claimed (status "sending") in its own commit before the
platform is called, and marked "sent" with the message's place after. The unique key (rule, occurrence, target, round)
makes planning idempotent; the claim makes sending exclusive. A row left "sending" by a process that died
is an orphan, and a row whose post's answer was lost is "unsure": before either is sent again, the
delivery engine (scheduler/engine.py) asks the platform whether it went out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from knowledge.planner import Nudge
from store.db import insert_or_update, session, upsert_statement, writing
from store.models import NudgeDelivery, SchedulerState, TaskDone, utcnow
from store.recipients import Recipient

PENDING, SENDING, SENT, SKIPPED, FAILED = "pending", "sending", "sent", "skipped", "failed"
UNSURE = "unsure"  # Slack may have posted it (its answer was lost): looked up before it is ever sent again
KEY = ("nudge", "occurrence", "target", "round")
PLANNED_UNTIL = "planned_until"


@dataclass(frozen=True)
class FollowUp:
    """When a task's next automatic follow-up goes out, if the student has not pressed Done by then."""

    due_at: datetime
    expires_at: datetime
    limit: int  # automatic follow-ups allowed for the task


@dataclass(frozen=True)
class RuleStatus:
    nudge: str
    sent: int
    pending: int
    skipped: int
    failed: int
    reasons: dict[str, int]

    def as_json(self) -> dict:
        return vars(self)


class Ledger:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ----------------------------------------------------------------- planning

    def record(self, nudges: Iterable[Nudge], now: datetime) -> tuple[int, int]:
        """Add planned nudges not yet on the ledger; returns (new pending, new skipped as already stale)."""
        rows = []
        for nudge in nudges:
            stale = now > nudge.send_at + nudge.grace
            target = Recipient(nudge.platform, nudge.channel).stored
            rows.append({"nudge": nudge.nudge, "occurrence": nudge.occurrence, "target": target, "round": 0,
                         "requested": False, "personal": nudge.personal, "category": nudge.category,
                         "phase": nudge.phase, "text": nudge.text, "due_at": nudge.send_at,
                         "expires_at": nudge.send_at + nudge.grace, "status": SKIPPED if stale else PENDING,
                         "reason": "missed: the bot was not running within the grace window" if stale else None,
                         "updated_at": utcnow()})
        added = Counter()
        with writing(self.engine) as db:
            for start in range(0, len(rows), 500):
                statement = upsert_statement(db, NudgeDelivery).values(rows[start:start + 500]) \
                    .on_conflict_do_nothing(index_elements=list(KEY)).returning(NudgeDelivery.status)
                added.update(status for (status,) in db.execute(statement))
            db.commit()
        return added[PENDING], added[SKIPPED]

    def planned_until(self) -> datetime | None:
        with session(self.engine) as db:
            state = db.get(SchedulerState, PLANNED_UNTIL)
        return datetime.fromisoformat(state.value) if state else None

    def set_planned_until(self, moment: datetime) -> None:
        with writing(self.engine) as db:
            values = {"name": PLANNED_UNTIL, "value": moment.isoformat(), "updated_at": utcnow()}
            insert_or_update(db, SchedulerState, values, keys=("name",), update=("value", "updated_at"))
            db.commit()

    # ----------------------------------------------------------------- sending

    def due(self, now: datetime, limit: int) -> list[NudgeDelivery]:
        """Pending rows due by `now`: first messages before follow-ups, oldest first."""
        with session(self.engine) as db:
            return list(db.exec(select(NudgeDelivery)
                                .where(NudgeDelivery.status == PENDING, NudgeDelivery.due_at <= now)
                                .order_by(NudgeDelivery.round, NudgeDelivery.due_at, NudgeDelivery.id).limit(limit)))

    def orphans(self, claimed_before: datetime | None = None) -> list[NudgeDelivery]:
        """Rows whose fate the platform must tell: claimed by a sender that never recorded the outcome (it died;
        claimed before `claimed_before`, or at all when None: the sender lock says no one else is sending), or
        unsure (the post's answer was lost and the lookup could not tell either)."""
        orphaned = NudgeDelivery.status == SENDING
        if claimed_before is not None:
            orphaned = orphaned & (col(NudgeDelivery.claimed_at) < claimed_before)
        with session(self.engine) as db:
            return list(db.exec(select(NudgeDelivery).where(orphaned | (NudgeDelivery.status == UNSURE))))

    def claim(self, delivery_id: int) -> bool:
        """Take a pending row for sending, committed before the platform is called; False when someone else has it."""
        return self._change(delivery_id, PENDING, status=SENDING, new_claimed_at=utcnow())

    def touch(self, delivery_id: int) -> None:
        """Still ours and still being sent (a retry after a 429): the claim starts again."""
        self._change(delivery_id, SENDING, new_claimed_at=utcnow())

    def sent(self, row: NudgeDelivery, sent_at: datetime, conversation: str, ts: str,
             follow_up: FollowUp | None) -> None:
        """Mark a claimed row sent and, in the same transaction, plan the task's next follow-up."""
        self._sent(row, sent_at, conversation, ts, follow_up, settling=False)

    def found(self, row: NudgeDelivery, sent_at: datetime, conversation: str, ts: str,
              follow_up: FollowUp | None) -> bool:
        """An orphan or unsure row the platform turns out to have: sent (with its follow-up). False if it was
        settled meanwhile."""
        return self._sent(row, sent_at, conversation, ts, follow_up, settling=True)

    def not_found(self, row: NudgeDelivery, reason: str) -> bool:
        """An orphan or unsure row the platform does not have: pending again at its own time, unless settled."""
        return self._change(row.id, row.status, only_claimed_at=row.claimed_at, status=PENDING, reason=reason[:200],
                            new_claimed_at=None)

    def _sent(self, row: NudgeDelivery, sent_at: datetime, conversation: str, ts: str, follow_up: FollowUp | None,
              settling: bool) -> bool:
        with writing(self.engine) as db:
            statement = update(NudgeDelivery).where(NudgeDelivery.id == row.id)
            if settling:
                statement = statement.where(NudgeDelivery.status == row.status,
                                            NudgeDelivery.claimed_at == row.claimed_at)
            changed = db.execute(statement.values(status=SENT, sent_at=sent_at, conversation=conversation, ts=ts,
                                                  reason=None, updated_at=utcnow()).returning(NudgeDelivery.id)).all()
            if changed and follow_up is not None and self._automatic_rounds(db, row) < follow_up.limit:
                next_round = self._last_round(db, row) + 1
                insert_or_update(db, NudgeDelivery, self._next_round(row, next_round, follow_up.due_at,
                                                                     follow_up.expires_at, requested=False),
                                 keys=KEY, update=())
            db.commit()
        return bool(changed)

    def unsure(self, delivery_id: int, reason: str) -> None:
        """The post may have landed: keep the claim's time, so the next run looks for it from there."""
        self._change(delivery_id, SENDING, status=UNSURE, reason=reason[:200])

    def release(self, delivery_id: int, retry_at: datetime, reason: str, attempted: bool = True) -> None:
        """Back to pending after a passing failure (the platform down, rate limited past our retries)."""
        self._change(delivery_id, None, status=PENDING, new_claimed_at=None, due_at=retry_at, reason=reason[:200])

    def defer(self, delivery_id: int, until: datetime, reason: str) -> None:
        """Not yet (quiet hours, the weekly cap, a card not posted): a pending row moves on in time."""
        self._change(delivery_id, PENDING, due_at=until, reason=reason[:200])

    postpone = defer

    def skip(self, delivery_id: int, reason: str) -> None:
        self._change(delivery_id, None, status=SKIPPED, reason=reason[:200], new_claimed_at=None)

    def fail(self, delivery_id: int, reason: str) -> None:
        self._change(delivery_id, None, status=FAILED, reason=reason[:200], new_claimed_at=None)

    def recent_sends(self, targets: Iterable[str], since: datetime) -> dict[str, list[datetime]]:
        """Personal messages sent to each target since `since`, for the weekly cap."""
        sends: dict[str, list[datetime]] = defaultdict(list)
        targets = list(set(targets))
        with session(self.engine) as db:
            for start in range(0, len(targets), 500):
                for target, sent_at in db.exec(
                        select(NudgeDelivery.target, NudgeDelivery.sent_at)
                        .where(col(NudgeDelivery.target).in_(targets[start:start + 500]),
                               NudgeDelivery.personal, NudgeDelivery.status == SENT, NudgeDelivery.sent_at >= since)):
                    sends[target].append(sent_at)
        return sends

    def done_tasks(self, targets: Iterable[str]) -> set[tuple[str, str, str]]:
        """(nudge, occurrence, user) for tasks these students marked done."""
        targets = list(set(targets))
        found: set[tuple[str, str, str]] = set()
        with session(self.engine) as db:
            for start in range(0, len(targets), 500):
                found.update(db.exec(select(TaskDone.nudge, TaskDone.occurrence, TaskDone.user_id)
                                     .where(col(TaskDone.user_id).in_(targets[start:start + 500]))))
        return found

    # ----------------------------------------------------------------- the student's buttons

    def get(self, delivery_id: int) -> NudgeDelivery | None:
        with session(self.engine) as db:
            return db.get(NudgeDelivery, delivery_id)

    def mark_done(self, row: NudgeDelivery) -> None:
        """The student finished the task: remember it and drop every follow-up still waiting."""
        with writing(self.engine) as db:
            insert_or_update(db, TaskDone, {"nudge": row.nudge, "occurrence": row.occurrence, "user_id": row.target,
                                            "done_at": utcnow()}, keys=("nudge", "occurrence", "user_id"), update=())
            db.execute(update(NudgeDelivery).where(*self._same_task(row), NudgeDelivery.status == PENDING)
                       .values(status=SKIPPED, reason="done: the student marked the task done", updated_at=utcnow()))
            db.commit()

    def remind_later(self, row: NudgeDelivery, due_at: datetime, expires_at: datetime) -> None:
        """Replace whatever follow-up is waiting with one at the time the student asked for."""
        with writing(self.engine) as db:
            db.execute(update(NudgeDelivery).where(*self._same_task(row), NudgeDelivery.status == PENDING)
                       .values(status=SKIPPED, reason="replaced by remind-me-later", updated_at=utcnow()))
            next_round = self._last_round(db, row) + 1
            insert_or_update(db, NudgeDelivery, self._next_round(row, next_round, due_at, expires_at, requested=True),
                             keys=KEY, update=())
            db.commit()

    def is_done(self, row: NudgeDelivery) -> bool:
        with session(self.engine) as db:
            return db.get(TaskDone, (row.nudge, row.occurrence, row.target)) is not None

    def message(self, conversation: str, ts: str) -> NudgeDelivery | None:
        """The nudge a Slack message is, for answering a reply in its thread."""
        with session(self.engine) as db:
            return db.exec(select(NudgeDelivery).where(NudgeDelivery.conversation == conversation,
                                                       NudgeDelivery.ts == ts)).first()

    def latest_to(self, target: str, since: datetime) -> NudgeDelivery | None:
        with session(self.engine) as db:
            return db.exec(select(NudgeDelivery)
                           .where(NudgeDelivery.target == target, NudgeDelivery.status == SENT,
                                  NudgeDelivery.sent_at >= since)
                           .order_by(col(NudgeDelivery.sent_at).desc())).first()

    # ----------------------------------------------------------------- reporting and retention

    def status(self) -> list[RuleStatus]:
        counts: dict[str, Counter] = defaultdict(Counter)
        reasons: dict[str, Counter] = defaultdict(Counter)
        with session(self.engine) as db:
            for nudge, status, reason, number in db.exec(
                    select(NudgeDelivery.nudge, NudgeDelivery.status, NudgeDelivery.reason, func.count())
                    .group_by(NudgeDelivery.nudge, NudgeDelivery.status, NudgeDelivery.reason)):
                counts[nudge][status] += number
                if status in (SKIPPED, FAILED) and reason:
                    reasons[nudge][reason.split(":")[0]] += number
        return [RuleStatus(nudge, counts[nudge][SENT],
                           counts[nudge][PENDING] + counts[nudge][SENDING] + counts[nudge][UNSURE],
                           counts[nudge][SKIPPED], counts[nudge][FAILED], dict(reasons[nudge]))
                for nudge in sorted(counts)]

    def purge(self, before: datetime) -> int:
        """Forget finished rows older than the retention period (they name students)."""
        with writing(self.engine) as db:
            finished = col(NudgeDelivery.status).in_([SENT, SKIPPED, FAILED])
            removed = db.execute(delete(NudgeDelivery).where(finished, NudgeDelivery.due_at < before)).rowcount
            db.execute(delete(TaskDone).where(TaskDone.done_at < before))
            db.commit()
        return removed or 0

    # ----------------------------------------------------------------- internals

    _UNSET = object()

    def _change(self, delivery_id: int, only_if: str | None, only_claimed_at=_UNSET, new_claimed_at=_UNSET,
                **values) -> bool:
        """Update one row, only while its status is `only_if` (and its claim `only_claimed_at`) when given."""
        with writing(self.engine) as db:
            statement = update(NudgeDelivery).where(NudgeDelivery.id == delivery_id)
            if only_if is not None:
                statement = statement.where(NudgeDelivery.status == only_if)
            if only_claimed_at is not self._UNSET:
                statement = statement.where(NudgeDelivery.claimed_at == only_claimed_at)
            if new_claimed_at is not self._UNSET:
                values["claimed_at"] = new_claimed_at
            changed = db.execute(statement.values(updated_at=utcnow(), **values).returning(NudgeDelivery.id)).all()
            db.commit()
        return bool(changed)

    @staticmethod
    def _same_task(row: NudgeDelivery) -> tuple:
        return (NudgeDelivery.nudge == row.nudge, NudgeDelivery.occurrence == row.occurrence,
                NudgeDelivery.target == row.target)

    def _last_round(self, db, row: NudgeDelivery) -> int:
        return db.exec(select(func.max(NudgeDelivery.round)).where(*self._same_task(row))).one() or 0

    def _automatic_rounds(self, db, row: NudgeDelivery) -> int:
        return db.exec(select(func.count()).where(*self._same_task(row), NudgeDelivery.round > 0,
                                                  col(NudgeDelivery.requested).is_(False))).one()

    @staticmethod
    def _next_round(row: NudgeDelivery, number: int, due_at: datetime, expires_at: datetime, requested: bool) -> dict:
        return {"nudge": row.nudge, "occurrence": row.occurrence, "target": row.target, "round": number,
                "requested": requested, "personal": True, "category": row.category, "phase": row.phase,
                "text": row.text, "due_at": due_at, "expires_at": expires_at, "status": PENDING,
                "updated_at": utcnow()}

