"""The declined-question log: what students asked that the content could not answer.

Only the question text, phase and track are kept (never who asked), and only for
DECLINED_QUESTION_RETENTION_DAYS days; 0 keeps nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from store.db import writing
from store.models import DeclinedQuestion, utcnow

MAX_STORED_CHARS = 500


class DeclinedLog:
    def __init__(self, engine: Engine, retention_days: int):
        self.engine = engine
        self.retention_days = retention_days

    def record(self, text: str, phase: str | None, track: str | None) -> None:
        """Store the question and, in the same transaction, drop what has outlived the retention period."""
        with writing(self.engine) as db:
            self._purge(db)
            if self.retention_days > 0 and text.strip():
                db.add(DeclinedQuestion(text=text[:MAX_STORED_CHARS], phase=phase, track=track))
            db.commit()

    def _purge(self, db: Session) -> None:
        cutoff = utcnow() - timedelta(days=self.retention_days)
        db.execute(delete(DeclinedQuestion).where(DeclinedQuestion.created_at < cutoff))

    def questions(self) -> list[str]:
        with writing(self.engine) as db:
            self._purge(db)
            db.commit()
            return list(db.exec(select(DeclinedQuestion.text).order_by(DeclinedQuestion.created_at)))
