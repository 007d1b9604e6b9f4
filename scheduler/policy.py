"""Respect for students: whether a due nudge goes now, waits, or is dropped.

A nudge waits through the student's quiet hours (in their own time zone) and past the weekly cap; it is
dropped when the student has left the phase it is for, is off the roster, finished the task, turned the
category off, or when waiting would take it past its grace window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.models import NudgeDelivery

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """"21:00-08:00" (may wrap midnight); empty or "off" means no quiet hours."""
        text = text.strip().lower()
        if text in ("", "off", "none"):
            return None
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as error:
            raise ValueError(f"quiet hours must look like 21:00-08:00, got {text!r}") from error
        return cls(start, end)

    def contains(self, clock: time) -> bool:
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` (an aware local time) outside the quiet hours."""
        if not self.contains(moment.timetz().replace(tzinfo=None)):
            return moment
        day = moment.date() if moment.time() < self.end else moment.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=moment.tzinfo)


@dataclass(frozen=True)
class Standing:
    """What the policy needs to know about a rostered student right now."""

    phase: str | None  # the phase their class is in today; None off the roster or between phases
    timezone: str | None
    opted_out: frozenset[str]
    done: frozenset[tuple[str, str]]  # (rule, occurrence) of tasks they marked done


@dataclass(frozen=True)
class Decision:
    send: bool
    wait_until: datetime | None = None
    skip_reason: str | None = None


SEND = Decision(send=True)


class Policy:
    def __init__(self, quiet_hours: QuietHours | None, weekly_cap: int, institution_timezone: str):
        self.quiet_hours = quiet_hours
        self.weekly_cap = weekly_cap
        self.institution = ZoneInfo(institution_timezone)

    def decide(self, row: NudgeDelivery, now: datetime, recipient: Standing | None,
               recent_sends: list[datetime]) -> Decision:
        if now > row.expires_at:
            return Decision(False, skip_reason=f"stale: due {row.due_at:%Y-%m-%d %H:%M} UTC, past its grace window")
        if row.personal:
            reason = self._not_for(row, recipient)
            if reason:
                return Decision(False, skip_reason=reason)
        wait_until = self._quiet_until(now, recipient.timezone if recipient and row.personal else None)
        if row.personal and self.weekly_cap and len(recent_sends) >= self.weekly_cap:
            wait_until = max(wait_until or now, sorted(recent_sends)[-self.weekly_cap] + WEEK)
            wait_until = self._quiet_until(wait_until, recipient.timezone) or wait_until
            cause = "weekly cap"
        else:
            cause = "quiet hours"
        if wait_until is None or wait_until <= now:
            return SEND
        if wait_until > row.expires_at:
            return Decision(False, skip_reason=f"{cause}: could not go out within its grace window")
        return Decision(False, wait_until=wait_until)

    @staticmethod
    def _not_for(row: NudgeDelivery, recipient: Standing | None) -> str | None:
        if recipient is None:
            return "not on the roster any more"
        if recipient.phase != row.phase:
            return f"not in the {row.phase} phase any more"
        if (row.nudge, row.occurrence) in recipient.done:
            return "done: the student marked the task done"
        if row.category in recipient.opted_out:
            return f"opted out: the student turned off {row.category}"
        return None

    def _quiet_until(self, moment: datetime, timezone: str | None) -> datetime | None:
        """When the quiet hours around `moment` end, in the student's zone (else the institution's)."""
        if self.quiet_hours is None:
            return None
        local = moment.astimezone(self._zone(timezone))
        end = self.quiet_hours.end_after(local)
        return end if end != local else None

    def _zone(self, name: str | None) -> ZoneInfo:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return self.institution
