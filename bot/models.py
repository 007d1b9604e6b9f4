"""Database tables. Every change here needs an Alembic migration in bot/migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
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
