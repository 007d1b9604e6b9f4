"""Alumni-advisor requests: filed once, changed only along the allowed steps, every change in the audit trail.

Adapters file a request with the platform request that carried it (`intake_key`), so a retried slash
command or a double click files it once. Students see only their own requests; the liaison's actions
are checked by the adapter, recorded here with who acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from knowledge.context import InputError
from store import outbox
from store.db import session, upsert_statement, writing
from store.models import AlumniRequest, OutboxMessage, RequestChange, utcnow
from store.outbox import CARD, CARD_UPDATE, Outbox
from store.request_states import CLAIMED, CLOSED, CONNECTED, NEEDS_INFO, OPEN

CONTACT_KINDS = ("email", "call", "visit", "shadowing")
# Knowledge-base entries about reaching alumni: their answers come with a way to make the request there and then.
ABOUT_ALUMNI_ENTRIES = frozenset({"alumni-advisors", "alumni-liaison"})
DESCRIPTION_LIMIT = 2000
FIELD_LIMIT = 100
# Which status each liaison action may start from; connected and closed are final.
STEPS = {
    CLAIMED: (OPEN, NEEDS_INFO),
    NEEDS_INFO: (OPEN, CLAIMED),
    CONNECTED: (OPEN, CLAIMED, NEEDS_INFO),
    CLOSED: (OPEN, CLAIMED, NEEDS_INFO),
}


@dataclass(frozen=True)
class Mail:
    """A message a change owes someone, queued in the change's own transaction (see store/outbox.py)."""

    kind: str
    text: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class Intake:
    """What a student asked for, as any intake path (command, modal, DM) hands it over."""

    description: str
    specialty: str | None = None
    location: str | None = None
    contact: str | None = None


def clean_intake(intake: Intake) -> Intake:
    """Trimmed and checked; raises InputError with a message meant for the student."""
    description = " ".join(intake.description.split())
    if len(description) < 10:
        raise InputError("tell the Alumni Liaison a little about what you are looking for (a sentence is enough)")
    if len(description) > DESCRIPTION_LIMIT:
        raise InputError(f"please keep the description under {DESCRIPTION_LIMIT} characters")
    contact = (intake.contact or "").strip().lower() or None
    if contact is not None and contact not in CONTACT_KINDS:
        raise InputError("the kind of contact is one of email, call, visit or shadowing")
    return Intake(description, _short(intake.specialty), _short(intake.location), contact)


def _short(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value[:FIELD_LIMIT] or None


class AlumniRequests:
    def __init__(self, engine: Engine, mail: Outbox | None = None):
        self.engine = engine
        self.mail = mail or Outbox(engine)

    def file(self, intake_key: str, platform: str, student_id: str, intake: Intake, class_of: int | None,
             track: str | None, phase: str | None, also: tuple[Mail, ...] = ()) -> tuple[AlumniRequest, bool]:
        """Commits the request with its first audit line and its card for the liaison (plus `also`), and
        returns it, with True when this call filed it."""
        intake = clean_intake(intake)
        now = utcnow()
        values = {"intake_key": intake_key, "platform": platform, "student_id": student_id, "class_of": class_of,
                  "track": track, "phase": phase, "specialty": intake.specialty, "location": intake.location,
                  "contact": intake.contact, "description": intake.description, "status": OPEN,
                  "created_at": now, "updated_at": now}
        with writing(self.engine) as db:
            new_id = db.execute(upsert_statement(db, AlumniRequest).values(**values)
                                .on_conflict_do_nothing(index_elements=["intake_key"])
                                .returning(AlumniRequest.id)).scalar()
            if new_id is None:  # filed before, by this same platform request
                return db.exec(select(AlumniRequest).where(AlumniRequest.intake_key == intake_key)).one(), False
            request = AlumniRequest(id=new_id, **values)
            self._record(db, request, student_id, "filed", None, (Mail(CARD), *also), card_update=False, once="filed")
            db.commit()
        self.mail.wake.set()
        return request, True

    def get(self, request_id: int) -> AlumniRequest | None:
        with session(self.engine) as db:
            return db.get(AlumniRequest, request_id)

    def of_student(self, platform: str, student_id: str) -> list[AlumniRequest]:
        """A student's own requests, newest first: the only ones they are ever shown."""
        with session(self.engine) as db:
            return list(db.exec(select(AlumniRequest)
                                .where(AlumniRequest.platform == platform, AlumniRequest.student_id == student_id)
                                .order_by(col(AlumniRequest.created_at).desc())))

    def listing(self, status: str | None = None) -> list[AlumniRequest]:
        with session(self.engine) as db:
            query = select(AlumniRequest).order_by(AlumniRequest.created_at, AlumniRequest.id)
            if status is not None:
                query = query.where(AlumniRequest.status == status)
            return list(db.exec(query))

    def change(self, request_id: int, actor: str, status: str, detail: str | None = None,
               mail: tuple[Mail, ...] = (), **fields: str | None) -> AlumniRequest | None:
        """Moves a request one allowed step, with the audit line, the card's update and `mail`;
        None when that step is not allowed now."""
        with writing(self.engine) as db:
            request = db.get(AlumniRequest, request_id)
            if request is None or request.status not in STEPS[status]:
                return None
            request.status = status
            request.updated_at = utcnow()
            if status == CLAIMED:
                request.claimed_by = actor
            for name, value in fields.items():
                setattr(request, name, value)
            self._record(db, request, actor, status, detail, mail)
            db.commit()
            db.refresh(request)
        self.mail.wake.set()
        return request

    def note(self, request_id: int, actor: str, action: str, detail: str | None = None,
             mail: tuple[Mail, ...] = (), once: str | None = None) -> bool:
        """Something that happened to a request without changing its status (a relayed reply, a check-in
        answer), kept in the audit trail with the messages it owes; False when the request is gone.
        `once` names the platform event behind it, so a redelivered event is recorded and relayed once."""
        with writing(self.engine) as db:
            request = db.get(AlumniRequest, request_id)
            if request is None:
                return False
            if once and mail and db.exec(select(OutboxMessage.id).where(
                    OutboxMessage.key == _mail_key(mail[0], request_id, once))).first():
                return True
            self._record(db, request, actor, action, detail, mail, card_update=False, once=once)
            db.commit()
        self.mail.wake.set()
        return True

    @staticmethod
    def _record(db, request: AlumniRequest, actor: str, action: str, detail: str | None, mail: tuple[Mail, ...],
                card_update: bool = True, once: str | None = None) -> None:
        change = RequestChange(request_id=request.id, actor=actor, action=action,
                               detail=detail[:500] if detail else None, at=utcnow())
        db.add(change)
        if once is None:
            db.flush()  # the change's id names its messages
        for item in ((Mail(CARD_UPDATE),) if card_update else ()) + tuple(mail):
            outbox.add(db, _mail_key(item, request.id, once or change.id), item.kind, request.id, item.text,
                       item.due_at)

    def by_card(self, channel: str, ts: str) -> AlumniRequest | None:
        """The request whose card is this liaison-channel message (a reply in its thread is about it)."""
        with session(self.engine) as db:
            return db.exec(select(AlumniRequest).where(AlumniRequest.card_channel == channel,
                                                       AlumniRequest.card_ts == ts)).first()

    def history(self, request_id: int) -> list[RequestChange]:
        with session(self.engine) as db:
            return list(db.exec(select(RequestChange).where(RequestChange.request_id == request_id)
                                .order_by(RequestChange.at, RequestChange.id)))

    def purge_closed(self, before: datetime) -> int:
        """Retention: forget requests connected or closed before `before`, with their audit trail."""
        finished = col(AlumniRequest.status).in_([CONNECTED, CLOSED])
        with writing(self.engine) as db:
            old = list(db.exec(select(AlumniRequest.id).where(finished, AlumniRequest.updated_at < before)))
            if old:
                db.execute(delete(RequestChange).where(col(RequestChange.request_id).in_(old)))
                db.execute(delete(AlumniRequest).where(col(AlumniRequest.id).in_(old)))
            db.commit()
        return len(old)


def _mail_key(mail: Mail, request_id: int, cause: str | int) -> str:
    return f"{mail.kind}:{request_id}:{cause}"[:160]


REPORT_FIELDS = ("id", "status", "created_at", "updated_at", "student", "class_of", "track", "phase", "specialty",
                 "location", "contact", "description", "claimed_by", "alumnus", "close_reason")


def as_json(request: AlumniRequest) -> dict:
    """The fields `advisor requests list --json` and the CSV export show, in REPORT_FIELDS order."""
    values = {**request.model_dump(), "student": request.student_id, "created_at": request.created_at.isoformat(),
              "updated_at": request.updated_at.isoformat()}
    return {name: values[name] for name in REPORT_FIELDS}
