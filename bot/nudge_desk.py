"""A student's side of the nudges: their categories, Done and Remind me later, and what a reply is about.

The core calls this with the student's own user id; a student can act only on nudges sent to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from knowledge.planner import Nudge, Planner
from store.ledger import Ledger
from store.models import NudgeDelivery
from store.preferences import NudgePreferences

REPLY_WINDOW = timedelta(hours=24)  # a DM this soon after a nudge may be about it


@dataclass(frozen=True)
class CategoryChoice:
    category: str
    label: str
    on: bool


class NudgeDesk:
    def __init__(self, ledger: Ledger, preferences: NudgePreferences, planner: Planner):
        self.ledger = ledger
        self.preferences = preferences
        self.planner = planner

    @property
    def categories(self) -> dict[str, str]:
        return self.planner.rules.categories

    def choices(self, user_id: str) -> list[CategoryChoice]:
        off = self.preferences.opted_out(user_id)
        return [CategoryChoice(category, label, category not in off) for category, label in self.categories.items()]

    def choose(self, user_id: str, category: str, on: bool) -> None:
        if category not in self.categories:
            raise KeyError(category)
        self.preferences.choose(user_id, category, on)

    def this_month(self, user_id: str, class_of: int, track: str, today: date) -> list[Nudge]:
        """The personal nudges planned for the student this month, minus the categories they turned off."""
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        off = self.preferences.opted_out(user_id)
        return [nudge for nudge in self.planner.tasks(first, last, {(class_of, track): [user_id]})
                if nudge.category not in off]

    def done_tasks(self, user_id: str) -> frozenset[str]:
        """The personal tasks the student has pressed Done on, for the checklist."""
        return frozenset(nudge for nudge, _, _ in self.ledger.done_tasks([user_id]))

    def done(self, user_id: str, delivery_id: int) -> bool:
        row = self._own(user_id, delivery_id)
        if row is None:
            return False
        self.ledger.mark_done(row)
        return True

    def later(self, user_id: str, delivery_id: int, now: datetime) -> datetime | None:
        """Brings the task back `remind_later_days` from now; None when it is not this student's task."""
        row = self._own(user_id, delivery_id)
        if row is None or self.ledger.is_done(row):
            return None
        due = self.planner.later(now, self.planner.rules.remind_later_days)
        self.ledger.remind_later(row, due, due + self.planner.grace)
        return due

    def thread_topic(self, user_id: str, conversation: str, thread_ts: str | None) -> str | None:
        """The entry a reply in a nudge's thread is about; None when the thread is not one of their nudges."""
        row = self.ledger.message(conversation, thread_ts) if thread_ts else None
        return self.planner.rules.topic(row.nudge) if row is not None and row.target == user_id else None

    def recent_topic(self, user_id: str, now: datetime) -> str | None:
        """The entry of the nudge sent to the student in the last day, which a loose question may be about."""
        row = self.ledger.latest_to(user_id, now - REPLY_WINDOW)
        return self.planner.rules.topic(row.nudge) if row else None

    def _own(self, user_id: str, delivery_id: int) -> NudgeDelivery | None:
        row = self.ledger.get(delivery_id)
        return row if row is not None and row.personal and row.target == user_id else None
