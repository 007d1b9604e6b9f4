"""The liaison's service level: reminders for requests left unclaimed, the daily digest, and retention.

Runs on every replica's scheduler tick; each reminder and digest is an outbox message with a unique key
(request and round, or the day), so however many replicas tick, each goes out once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from knowledge.planner import weekday
from store.alumni import CLAIMED, NEEDS_INFO, OPEN, AlumniRequests
from store.models import AlumniRequest
from store.outbox import DIGEST, REMINDER

log = logging.getLogger(__name__)

AGE_GROUPS = ((10, "Filed 10 or more business days ago"), (5, "Filed 5 to 9 business days ago"),
              (0, "Filed in the last 5 business days"))


class ServiceLevel:
    def __init__(self, requests: AlumniRequests, reminder_after_days: int, digest_at: time | None, timezone: str,
                 closed_days: frozenset[str], retention: timedelta):
        self.requests = requests
        self.reminder_after_days = reminder_after_days
        self.digest_at = digest_at
        self.zone = ZoneInfo(timezone)
        self.closed_days = closed_days
        self.retention = retention

    def tick(self) -> None:
        """The scheduler's job; a failure is logged and the next tick tries again."""
        try:
            self.run(datetime.now(UTC))
        except Exception:
            log.exception("alumni requests: the service-level run failed; the next tick retries")

    def run(self, now: datetime) -> None:
        waiting = self.requests.listing(OPEN)
        self._remind(waiting, now)
        self._digest(now)
        self.requests.mail.purge_unattached(now - self.retention)
        purged = self.requests.purge_closed(now - self.retention)
        if purged:
            log.info("alumni requests: %d finished request(s) past retention deleted", purged)

    def business_days(self, since: datetime, now: datetime) -> int:
        """Working days (weekdays that are not closed days) after `since`'s day, up to and including today."""
        day, today, count = since.astimezone(self.zone).date(), now.astimezone(self.zone).date(), 0
        while True:
            day = weekday(day + timedelta(days=1), self.closed_days)
            if day > today:
                return count
            count += 1

    def _remind(self, waiting: list[AlumniRequest], now: datetime) -> None:
        """One reminder each time an unclaimed request's wait reaches another N business days."""
        if not self.reminder_after_days:
            return
        for request in waiting:
            days = self.business_days(request.created_at, now)
            if days >= self.reminder_after_days:
                round_ = days // self.reminder_after_days
                text = (f"Request #{request.id} has waited {days} business days since it was filed "
                        f"({request.created_at.astimezone(self.zone):%-d %b}) and nobody has claimed it.")
                self.requests.mail.enqueue(f"{REMINDER}:{request.id}:{round_}", REMINDER, request.id, text)

    def _digest(self, now: datetime) -> None:
        local = now.astimezone(self.zone)
        if self.digest_at is None or local.time() < self.digest_at or weekday(local.date(), self.closed_days) != \
                local.date():
            return
        key = f"{DIGEST}:{local.date().isoformat()}"
        if self.requests.mail.exists(key):  # queued by an earlier tick (or replica) today
            return
        unfinished = [request for status in (OPEN, NEEDS_INFO, CLAIMED) for request in self.requests.listing(status)]
        if unfinished:
            self.requests.mail.enqueue(key, DIGEST, None, self.digest_text(unfinished, now))

    def digest_text(self, unfinished: list[AlumniRequest], now: datetime) -> str:
        aged = sorted(((self.business_days(request.created_at, now), request) for request in unfinished),
                      key=lambda pair: (-pair[0], pair[1].id))
        lines = [f"{len(unfinished)} request(s) not yet connected or closed."]
        for floor, heading in AGE_GROUPS:
            group = [(days, request) for days, request in aged if days >= floor]
            aged = [(days, request) for days, request in aged if days < floor]
            if group:
                lines.append(f"\n{heading}:")
                lines += [f"• #{request.id}: {_status(request)}, {days} business day(s)"
                          + (f", {request.specialty}" if request.specialty else "") for days, request in group]
        return "\n".join(lines)


def _status(request: AlumniRequest) -> str:
    return {OPEN: "unclaimed", CLAIMED: "claimed", NEEDS_INFO: "waiting for the student"}.get(request.status,
                                                                                              request.status)


def parse_clock(value: str) -> time | None:
    """"09:00" as a time of day; "off" (or empty) as None."""
    value = value.strip().lower()
    return None if value in ("", "off") else time.fromisoformat(value)

