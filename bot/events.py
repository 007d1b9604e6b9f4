"""Platform events taken on: each is handled once, and a question acknowledged is never lost.

Slack retries an event it thinks went unanswered, and redelivers after a restart: the claim, committed
before the acknowledgement, drops those copies. A question's claim also keeps its payload until the
answer is out, so if the process dies in between, the claim's lease runs out and `take_unfinished` hands
it to a live process (this one after a restart, or another replica) to answer then.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine

from bot.db import insert_or_update, writing
from bot.models import ProcessedEvent, utcnow

PURGE_EVERY_SECONDS = 600
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unfinished:
    event_id: str
    payload: str


class EventLog:
    def __init__(self, engine: Engine, retention_days: int, lease_seconds: float = 120.0,
                 recover_within: timedelta = timedelta(hours=1)):
        self.engine = engine
        self.retention = timedelta(days=retention_days)
        self.lease = timedelta(seconds=lease_seconds)
        self.recover_within = recover_within
        self._next_purge = 0.0
        self._lock = threading.Lock()

    def claim(self, platform: str, event_id: str, payload: str | None = None) -> bool:
        """True for the first delivery of this event, False for every later one (across restarts and replicas).

        Pass the payload for events that must be answered: it is kept until `finished`.
        """
        now = utcnow()
        values = {"platform": platform, "event_id": event_id[:128], "received_at": now, "payload": payload,
                  "lease_until": now + self.lease if payload is not None else None}
        with writing(self.engine) as db:
            written = insert_or_update(db, ProcessedEvent, values, keys=("platform", "event_id"), update=())
            if self._purge_due():
                self._purge(db)
            db.commit()
        return written == 1

    def finished(self, platform: str, event_id: str) -> None:
        """The student has their answer (or an apology): forget the payload."""
        with writing(self.engine) as db:
            db.execute(update(ProcessedEvent)
                       .where(ProcessedEvent.platform == platform, ProcessedEvent.event_id == event_id[:128])
                       .values(payload=None, lease_until=None))
            db.commit()

    def take_unfinished(self, platform: str) -> list[Unfinished]:
        """Claimed questions whose lease ran out unanswered, leased anew to the caller (at most one taker)."""
        now = utcnow()
        with writing(self.engine) as db:
            candidates = db.execute(
                update(ProcessedEvent)
                .where(ProcessedEvent.platform == platform, ProcessedEvent.payload.is_not(None),
                       ProcessedEvent.lease_until < now, ProcessedEvent.received_at > now - self.recover_within)
                .values(lease_until=now + self.lease)
                .returning(ProcessedEvent.event_id, ProcessedEvent.payload)
            ).all()
            db.commit()
        return [Unfinished(event_id, payload) for event_id, payload in candidates]

    def _purge(self, db) -> None:
        now = utcnow()
        db.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - self.retention))
        # Questions too old to answer usefully: drop the student's words, keep the id for deduplication.
        stale = db.execute(update(ProcessedEvent)
                           .where(ProcessedEvent.payload.is_not(None),
                                  ProcessedEvent.received_at < now - self.recover_within)
                           .values(payload=None, lease_until=None)
                           .returning(ProcessedEvent.event_id)).all()
        for (event_id,) in stale:
            log.warning("event %s was never answered and is too old to answer now: dropped", event_id)

    def _purge_due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next_purge:
                return False
            self._next_purge = now + PURGE_EVERY_SECONDS
            return True
