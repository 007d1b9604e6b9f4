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

from store.db import insert_or_update, writing
from store.models import ProcessedEvent, utcnow

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

    def renew(self, platform: str, event_ids: list[str]) -> None:
        """These questions are still being answered here: their leases start again, so no other process takes
        them over while a handler waits on a slow or failing platform."""
        if not event_ids:
            return
        with writing(self.engine) as db:
            db.execute(update(ProcessedEvent)
                       .where(ProcessedEvent.platform == platform, ProcessedEvent.payload.is_not(None),
                              ProcessedEvent.event_id.in_([event_id[:128] for event_id in event_ids]))
                       .values(lease_until=utcnow() + self.lease))
            db.commit()

    def retry_later(self, platform: str, event_id: str, after: timedelta) -> None:
        """Not answered (the platform is failing, or this process is stopping): any process may take the question
        up after `after` (immediately for zero); it looks the answer up before answering."""
        with writing(self.engine) as db:
            db.execute(update(ProcessedEvent)
                       .where(ProcessedEvent.platform == platform, ProcessedEvent.event_id == event_id[:128],
                              ProcessedEvent.payload.is_not(None))
                       .values(lease_until=utcnow() + after))
            db.commit()

    def take_unfinished(self, platform: str) -> list[Unfinished]:
        """Claimed questions whose lease ran out unanswered, leased anew to the caller (at most one taker)."""
        now = utcnow()  # a lease_until exactly now (handed back) counts as run out
        with writing(self.engine) as db:
            candidates = db.execute(
                update(ProcessedEvent)
                .where(ProcessedEvent.platform == platform, ProcessedEvent.payload.is_not(None),
                       ProcessedEvent.lease_until <= now, ProcessedEvent.received_at > now - self.recover_within)
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


class Leases:
    """The questions this process is answering right now, with their leases kept alive until each is done.

    A handler can outlive its lease (a platform slow or down for minutes, its calls retried); renewing every
    third of the lease means recovery elsewhere never takes over live work, while a process that dies stops
    renewing and its questions are taken over one lease later.
    """

    def __init__(self, events: EventLog, platform: str):
        self.events = events
        self.platform = platform
        self.every = max(0.5, events.lease.total_seconds() / 3)
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{platform}-leases", daemon=True)

    def start(self) -> Leases:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def hold(self, event_id: str) -> None:
        with self._lock:
            self._held.add(event_id)

    def release(self, event_id: str) -> None:
        with self._lock:
            self._held.discard(event_id)

    def held(self) -> list[str]:
        with self._lock:
            return sorted(self._held)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.events.renew(self.platform, self.held())
            except Exception:  # a database hiccup: the next round renews (a lease is three rounds long)
                log.exception("renewing the leases of questions being answered failed; trying again")
