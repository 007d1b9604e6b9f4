"""The declined-question log: what students asked that the content could not answer.

Only the question text, phase and track are kept (never who asked), and only for
DECLINED_QUESTION_RETENTION_DAYS days; 0 keeps nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.db import session
from bot.models import DeclinedQuestion, utcnow

MAX_STORED_CHARS = 500


class DeclinedLog:
    def __init__(self, engine: Engine, retention_days: int):
        self.engine = engine
        self.retention_days = retention_days

    def record(self, text: str, phase: str | None, track: str | None) -> None:
        if self.retention_days <= 0 or not text.strip():
            return
        with session(self.engine) as db:
            db.add(DeclinedQuestion(text=text[:MAX_STORED_CHARS], phase=phase, track=track))
            db.commit()

    def purge_expired(self) -> int:
        cutoff = utcnow() - timedelta(days=self.retention_days)
        with session(self.engine) as db:
            result = db.execute(delete(DeclinedQuestion).where(DeclinedQuestion.created_at < cutoff))
            db.commit()
            return result.rowcount or 0

    def questions(self) -> list[str]:
        self.purge_expired()
        with session(self.engine) as db:
            return list(db.exec(select(DeclinedQuestion.text).order_by(DeclinedQuestion.created_at)))
