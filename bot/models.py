"""Database tables. Every change here needs an Alembic migration in bot/migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index, Text, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class DeclinedQuestion(SQLModel, table=True):
    """A question the advisor could not answer, kept (without who asked) so curators can fill the gap."""

    __tablename__ = "declined_question"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=500)
    phase: str | None = Field(default=None, max_length=20)
    track: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)


class StudentProfile(SQLModel, table=True):
    """What a student told the bot about themselves: only what phase-aware answers need."""

    __tablename__ = "student_profile"

    platform: str = Field(primary_key=True, max_length=10)
    user_id: str = Field(primary_key=True, max_length=64)
    class_of: int | None = None
    track: str | None = Field(default=None, max_length=20)
    asked_for_profile: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


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
    received_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    payload: str | None = Field(default=None, sa_type=Text)
    lease_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AnswerVote(SQLModel, table=True):
    """A Helpful / Not helpful vote on one answer message, kept for the curators without who voted."""

    __tablename__ = "answer_vote"

    message_key: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(max_length=100, index=True)
    helpful: bool
    phase: str | None = Field(default=None, max_length=20)
    track: str | None = Field(default=None, max_length=20)
    voted_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class RosterStudent(SQLModel, table=True):
    """A rostered student: who receives the personal nudges for their class and track."""

    __tablename__ = "roster_student"

    slack_user_id: str = Field(primary_key=True, max_length=32)
    class_of: int = Field(index=True)
    track: str = Field(max_length=20)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
