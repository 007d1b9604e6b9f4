"""The outbox: messages the bot owes, written with the change that causes them and kept until delivered.

A student's request and the liaison's card are committed together, so Slack being down when a request
is made loses nothing: the card waits here and the outbox worker (scheduler/outbox_worker.py) retries
it. Each message has a unique key (filed twice, sent once) and is claimed in its own commit before
the platform is called, like the nudge ledger (both through scheduler/engine.py).
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.db import insert_or_update, session, writing
from store.models import AlumniRequest, OutboxMessage, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
UNSURE = "unsure"  # the platform may have posted it (its answer was lost): looked up before it is sent again
# What each kind of message is; the platform's courier renders it.
CARD = "card"  # the request's card in the liaison channel
CARD_UPDATE = "card_update"  # the card again, in place, after a status change
STUDENT = "student"  # a status notice to the student
RELAY_TO_STUDENT = "relay"  # the liaison's words (a reply in the card's thread, a question) to the student
CHECK_IN = "check_in"  # "did you connect, was it helpful?", some days after "connected"
TO_THREAD = "thread"  # the student's words, in the card's thread
NOTE = "note"  # something the liaison should know (a check-in answer), in the card's thread
REMINDER = "reminder"  # the service level: a request waiting unclaimed, in the card's thread and the channel
DIGEST = "digest"  # the liaison channel's daily list of open requests by age
NEEDS_CARD = frozenset({CARD_UPDATE, TO_THREAD, NOTE, REMINDER})
TO_STUDENT = frozenset({STUDENT, RELAY_TO_STUDENT, CHECK_IN})  # to the student's DM; the rest to the liaison


def add(db: Session, key: str, kind: str, request_id: int | None = None, text: str | None = None,
        due_at: datetime | None = None) -> bool:
    """Queue a message inside the caller's transaction; False when a message with this key exists already."""
    now = utcnow()
    values = {"key": key, "kind": kind, "request_id": request_id, "text": text, "due_at": due_at or now,
              "status": PENDING, "attempts": 0, "created_at": now}
    return bool(insert_or_update(db, OutboxMessage, values, keys=("key",), update=()))


class Outbox:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.wake = threading.Event()  # set after a commit that queued mail, so this process's worker goes now

    def enqueue(self, key: str, kind: str, request_id: int | None = None, text: str | None = None,
                due_at: datetime | None = None) -> bool:
        with writing(self.engine) as db:
            added = add(db, key, kind, request_id, text, due_at)
            db.commit()
        self.wake.set()
        return added

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        with session(self.engine) as db:
            return list(db.exec(select(OutboxMessage)
                                .where(OutboxMessage.status == PENDING, OutboxMessage.due_at <= now)
                                .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)))

    def next_due(self) -> datetime | None:
        with session(self.engine) as db:
            return db.exec(select(OutboxMessage.due_at).where(OutboxMessage.status == PENDING)
                           .order_by(OutboxMessage.due_at).limit(1)).first()

    def orphans(self, claimed_before: datetime) -> list[OutboxMessage]:
        """Messages whose fate the platform must tell: claimed by a sender that never recorded the outcome (it
        died mid-send; its lease ran out), or unsure (the post's answer was lost), at once."""
        with session(self.engine) as db:
            return list(db.exec(select(OutboxMessage).where(
                (OutboxMessage.status == UNSURE)
                | ((OutboxMessage.status == SENDING) & (col(OutboxMessage.claimed_at) < claimed_before)))))

    def unsure(self, message_id: int, reason: str) -> None:
        """The post may have landed: keep the claim's time, so the lookup starts from there."""
        self._change(message_id, SENDING, status=UNSURE, reason=reason[:200])

    def found(self, message: OutboxMessage, conversation: str | None, ts: str | None,
              at: datetime | None = None) -> bool:
        """An orphan or unsure message that the platform turns out to have: sent. False if someone else has
        settled it meanwhile (another worker's lookup, or a new claim after one)."""
        return self._settle(message, status=SENT, sent_at=at or utcnow(), conversation=conversation, ts=ts,
                            reason=None)

    def not_found(self, message: OutboxMessage, retry_at: datetime, reason: str) -> bool:
        """An orphan or unsure message the platform does not have: pending again, unless already settled."""
        return self._settle(message, status=PENDING, claimed_at=None, due_at=retry_at, reason=reason[:200])

    def _settle(self, message: OutboxMessage, **values) -> bool:
        with writing(self.engine) as db:
            changed = db.execute(update(OutboxMessage)
                                 .where(OutboxMessage.id == message.id, OutboxMessage.status == message.status,
                                        OutboxMessage.claimed_at == message.claimed_at)
                                 .values(**values).returning(OutboxMessage.id)).all()
            if changed and values["status"] == SENT and message.kind == CARD and message.request_id is not None:
                db.execute(update(AlumniRequest).where(AlumniRequest.id == message.request_id)
                           .values(card_channel=values["conversation"], card_ts=values["ts"]))
            db.commit()
        return bool(changed)

    def claim(self, message_id: int) -> bool:
        """Take a pending message, committed before Slack is called; False when another sender has it."""
        return self._change(message_id, PENDING, status=SENDING, claimed_at=utcnow())

    def touch(self, message_id: int) -> None:
        """Still ours and still being sent (a retry after a 429): the lease starts again."""
        self._change(message_id, SENDING, claimed_at=utcnow())

    def postpone(self, message_id: int, until: datetime, reason: str) -> None:
        self._change(message_id, PENDING, due_at=until, reason=reason[:200])

    def sent(self, message: OutboxMessage, conversation: str | None, ts: str | None,
             at: datetime | None = None) -> None:
        """Delivered; a card's place in the channel is kept on its request, in the same transaction."""
        with writing(self.engine) as db:
            db.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                       .values(status=SENT, sent_at=at or utcnow(), conversation=conversation, ts=ts, reason=None))
            if message.kind == CARD and message.request_id is not None:
                db.execute(update(AlumniRequest).where(AlumniRequest.id == message.request_id)
                           .values(card_channel=conversation, card_ts=ts))
            db.commit()

    def release(self, message_id: int, retry_at: datetime, reason: str, attempted: bool = True) -> None:
        """Back to pending, to be tried again at `retry_at`; `attempted` counts a failed try."""
        values = {"status": PENDING, "claimed_at": None, "due_at": retry_at, "reason": reason[:200]}
        if attempted:
            values["attempts"] = OutboxMessage.attempts + 1
        self._change(message_id, None, **values)

    def fail(self, message_id: int, reason: str) -> None:
        self._change(message_id, None, status=FAILED, claimed_at=None, reason=reason[:200])

    def about_message(self, conversation: str, ts: str) -> OutboxMessage | None:
        """The outbox message that became this Slack message, if any (to tell which request a thread is about)."""
        with session(self.engine) as db:
            return db.exec(select(OutboxMessage).where(OutboxMessage.conversation == conversation,
                                                       OutboxMessage.ts == ts)).first()

    def of_request(self, request_id: int) -> list[OutboxMessage]:
        with session(self.engine) as db:
            return list(db.exec(select(OutboxMessage).where(OutboxMessage.request_id == request_id)
                                .order_by(OutboxMessage.id)))

    def exists(self, key: str) -> bool:
        with session(self.engine) as db:
            return db.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first() is not None

    def purge_unattached(self, before: datetime) -> int:
        """Retention for messages about no single request (digests): delivered or failed ones before `before`."""
        with writing(self.engine) as db:
            removed = db.execute(delete(OutboxMessage).where(
                col(OutboxMessage.request_id).is_(None), col(OutboxMessage.status).in_([SENT, FAILED]),
                OutboxMessage.created_at < before).returning(OutboxMessage.id)).all()
            db.commit()
        return len(removed)

    def _change(self, message_id: int, only_if: str | None, **values) -> bool:
        with writing(self.engine) as db:
            statement = update(OutboxMessage).where(OutboxMessage.id == message_id)
            if only_if is not None:
                statement = statement.where(OutboxMessage.status == only_if)
            changed = db.execute(statement.values(**values).returning(OutboxMessage.id)).all()
            db.commit()
        return bool(changed)
