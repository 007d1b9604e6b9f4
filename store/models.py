"""Database tables. Every change here needs an Alembic migration in store/migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Moment(TypeDecorator):
    """A point in time, stored in UTC and read back with its zone.

    SQLite keeps no offset: without this, 10:00 in New York and 10:00 UTC would be stored alike and
    compare as equal. Naive values are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class DeclinedQuestion(SQLModel, table=True):
    """A question the advisor could not answer, kept (without who asked) so curators can fill the gap."""

    __tablename__ = "declined_question"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=500)
    phase: str | None = Field(default=None, max_length=20)
    track: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Moment, index=True)


class StudentProfile(SQLModel, table=True):
    """What a student told the bot about themselves: only what phase-aware answers need."""

    __tablename__ = "student_profile"

    platform: str = Field(primary_key=True, max_length=10)
    user_id: str = Field(primary_key=True, max_length=64)
    class_of: int | None = None
    track: str | None = Field(default=None, max_length=20)
    asked_for_profile: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=Moment)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class ProcessedEvent(SQLModel, table=True):
    """A platform event already taken on, so a retry or a redelivery after a restart is not answered twice.

    A question's event keeps its payload until it is answered, so one acknowledged just before a crash is
    answered after the restart (`lease_until` says when another process may take it over); then it is cleared.
    """

    __tablename__ = "processed_event"
    __table_args__ = (Index("ix_processed_event_pending", "lease_until", postgresql_where=text("payload IS NOT NULL"),
                            sqlite_where=text("payload IS NOT NULL")),)

    platform: str = Field(primary_key=True, max_length=10)
    event_id: str = Field(primary_key=True, max_length=128)
    received_at: datetime = Field(default_factory=utcnow, sa_type=Moment, index=True)
    payload: str | None = Field(default=None, sa_type=Text)
    lease_until: datetime | None = Field(default=None, sa_type=Moment)


class AnswerVote(SQLModel, table=True):
    """A Helpful / Not helpful vote on one answer message, kept for the curators without who voted."""

    __tablename__ = "answer_vote"

    message_key: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(max_length=100, index=True)
    helpful: bool
    phase: str | None = Field(default=None, max_length=20)
    track: str | None = Field(default=None, max_length=20)
    voted_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class ConversationTopic(SQLModel, table=True):
    """The entry a conversation was last answered from, so "when is it?" or "and for HST?" can follow up.

    The key is a hash of the platform, student and conversation (and thread), like a vote's: the row says
    which entry a conversation is on, never who is talking or what they wrote.
    """

    __tablename__ = "conversation_topic"

    conversation_key: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(max_length=100)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment, index=True)


class RosterStudent(SQLModel, table=True):
    """A rostered student: who receives the personal nudges for their class and track.

    Each row names one account: a Slack user id or a Teams (Entra object) id, never both.
    """

    __tablename__ = "roster_student"
    __table_args__ = (CheckConstraint("(slack_user_id IS NULL) <> (teams_user_id IS NULL)",
                                      name="ck_roster_student_one_account"),)

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str | None = Field(default=None, max_length=200, unique=True)
    teams_user_id: str | None = Field(default=None, max_length=64, unique=True)
    class_of: int = Field(index=True)
    track: str = Field(max_length=20)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment)
    timezone: str | None = Field(default=None, max_length=64)  # from Slack's users.info, for quiet hours
    timezone_checked_at: datetime | None = Field(default=None, sa_type=Moment)


class NudgeDelivery(SQLModel, table=True):
    """The delivery ledger: one message of the programme's calendar to one channel or student.

    The unique key (rule, occurrence, target, round) is claimed before Slack is called and the message's ts
    is written after, so a crash, a restart, a second replica or a rerun cannot send it twice.
    Round 0 is the first message; later rounds are a task's follow-ups and remind-me-laters.
    """

    __tablename__ = "nudge_delivery"
    __table_args__ = (UniqueConstraint("nudge", "occurrence", "target", "round", name="uq_nudge_delivery_key"),
                      Index("ix_nudge_delivery_due", "status", "due_at"),
                      Index("ix_nudge_delivery_target", "target", "sent_at"),
                      Index("ix_nudge_delivery_message", "conversation", "ts"))

    id: int | None = Field(default=None, primary_key=True)
    nudge: str = Field(max_length=100)
    occurrence: str = Field(max_length=7)
    target: str = Field(max_length=200)  # a channel or a student: the stored form of store.recipients.Recipient
    round: int = 0
    requested: bool = False  # a remind-me-later the student asked for, not an automatic follow-up
    personal: bool
    category: str = Field(max_length=20)
    phase: str = Field(max_length=20)
    text: str = Field(sa_type=Text)
    due_at: datetime = Field(sa_type=Moment)  # not before; moved on by quiet hours and the cap
    expires_at: datetime = Field(sa_type=Moment)  # past this it is skipped, never sent late
    status: str = Field(max_length=10)  # pending, sending, sent, skipped, failed
    reason: str | None = Field(default=None, max_length=200)
    claimed_at: datetime | None = Field(default=None, sa_type=Moment)
    sent_at: datetime | None = Field(default=None, sa_type=Moment)
    conversation: str | None = Field(default=None, max_length=200)
    ts: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class TaskDone(SQLModel, table=True):
    """A student pressed Done on a task: no more follow-ups for that occurrence."""

    __tablename__ = "nudge_task_done"

    nudge: str = Field(primary_key=True, max_length=100)
    occurrence: str = Field(primary_key=True, max_length=7)
    user_id: str = Field(primary_key=True, max_length=200)
    done_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class NudgeOptOut(SQLModel, table=True):
    """A category of personal nudges a student turned off."""

    __tablename__ = "nudge_opt_out"

    user_id: str = Field(primary_key=True, max_length=200)
    category: str = Field(primary_key=True, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class SchedulerState(SQLModel, table=True):
    """Small named values the scheduler keeps between runs (how far the calendar has been planned)."""

    __tablename__ = "scheduler_state"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=100)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class AlumniRequest(SQLModel, table=True):
    """A student's request for an alumni advisor, from intake until the student is connected (or it is closed)."""

    __tablename__ = "alumni_request"
    __table_args__ = (Index("ix_alumni_request_student", "platform", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    intake_key: str = Field(max_length=128, unique=True)  # the platform request that filed it: filed once
    platform: str = Field(max_length=10)
    student_id: str = Field(max_length=64)
    class_of: int | None = None
    track: str | None = Field(default=None, max_length=20)
    phase: str | None = Field(default=None, max_length=20)
    specialty: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=100)
    contact: str | None = Field(default=None, max_length=20)  # email, call, visit or shadowing
    description: str = Field(sa_type=Text)
    status: str = Field(default="open", max_length=12, index=True)  # open, claimed, needs_info, connected, closed
    claimed_by: str | None = Field(default=None, max_length=64)
    alumnus: str | None = Field(default=None, max_length=200)
    outcome_notes: str | None = Field(default=None, sa_type=Text)
    close_reason: str | None = Field(default=None, max_length=300)
    card_channel: str | None = Field(default=None, max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Moment, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class RequestChange(SQLModel, table=True):
    """The audit trail of an alumni request: who did what, when."""

    __tablename__ = "alumni_request_change"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="alumni_request.id", index=True, ondelete="CASCADE")
    actor: str = Field(max_length=64)
    action: str = Field(max_length=30)
    detail: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class OutboxMessage(SQLModel, table=True):
    """A message the bot owes someone (the liaison's card, a student's status DM, a relay), kept until delivered.

    Written in the same transaction as the change that causes it, so a request is never acknowledged
    without its message on the way; the unique `key` makes every message once-only, and the Slack ts
    written after delivery (or found again by its metadata) keeps retries and replicas from repeating it.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"),
                      Index("ix_outbox_message", "conversation", "ts"))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=20)  # card, card_update, student, check_in, thread, channel
    request_id: int | None = Field(default=None, foreign_key="alumni_request.id", index=True, ondelete="CASCADE")
    text: str | None = Field(default=None, sa_type=Text)
    due_at: datetime = Field(sa_type=Moment)
    status: str = Field(default="pending", max_length=10)  # pending, sending, sent, failed
    attempts: int = 0
    reason: str | None = Field(default=None, max_length=200)
    claimed_at: datetime | None = Field(default=None, sa_type=Moment)
    sent_at: datetime | None = Field(default=None, sa_type=Moment)
    conversation: str | None = Field(default=None, max_length=200)
    ts: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Moment)


class TeamsConversation(SQLModel, table=True):
    """Where the bot can reach a Teams conversation later (a nudge, a card): its id and the region's service URL.

    Saved from every inbound activity, since Teams gives no other way to learn a personal chat's id.
    """

    __tablename__ = "teams_conversation"

    conversation_id: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=20)  # personal, channel, groupChat
    user_id: str | None = Field(default=None, max_length=64, index=True)  # the student's Entra object id (personal)
    team_id: str | None = Field(default=None, max_length=200)
    tenant_id: str | None = Field(default=None, max_length=64)
    service_url: str = Field(max_length=300)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Moment)
