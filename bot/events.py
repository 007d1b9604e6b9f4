"""Which platform events have already been taken on: Slack retries an event it thinks went unanswered,
and a redelivery after a restart must not be answered again. The claim is committed before the ack."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from bot.db import insert_or_update, writing
from bot.models import ProcessedEvent, utcnow

PURGE_EVERY_SECONDS = 600


class EventLog:
    def __init__(self, engine: Engine, retention_days: int):
        self.engine = engine
        self.retention = timedelta(days=retention_days)
        self._next_purge = 0.0
        self._lock = threading.Lock()

    def claim(self, platform: str, event_id: str) -> bool:
        """True for the first delivery of this event, False for every later one (across restarts and replicas)."""
        with writing(self.engine) as db:
            written = insert_or_update(db, ProcessedEvent, {"platform": platform, "event_id": event_id[:128],
                                                            "received_at": utcnow()},
                                       keys=("platform", "event_id"), update=())
            if self._purge_due():
                db.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < utcnow() - self.retention))
            db.commit()
        return written == 1

    def _purge_due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next_purge:
                return False
            self._next_purge = now + PURGE_EVERY_SECONDS
            return True
