"""Helpful / Not helpful votes on answers: curators see which entries need work, never who voted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlmodel import select

from store.db import insert_or_update, session, writing
from store.models import AnswerVote, utcnow


def message_key(*parts: str) -> str:
    """A stable key for one answer message (platform, channel, timestamp) that reveals none of them."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class EntryVotes:
    entry_id: str
    helpful: int
    not_helpful: int


class VoteLog:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, key: str, entry_id: str, helpful: bool, phase: str | None, track: str | None) -> None:
        """One vote per answer message: voting again changes the vote rather than adding one."""
        values = {"message_key": key, "entry_id": entry_id[:100], "helpful": helpful, "phase": phase,
                  "track": track, "voted_at": utcnow()}
        with writing(self.engine) as db:
            insert_or_update(db, AnswerVote, values, keys=("message_key",), update=("helpful", "voted_at"))
            db.commit()

    def summary(self) -> list[EntryVotes]:
        """Votes per entry, the most "not helpful" first."""
        helpful = func.sum(case((AnswerVote.helpful, 1), else_=0))
        not_helpful = func.sum(case((AnswerVote.helpful, 0), else_=1))
        query = (select(AnswerVote.entry_id, helpful, not_helpful).group_by(AnswerVote.entry_id)
                 .order_by(not_helpful.desc(), AnswerVote.entry_id))
        with session(self.engine) as db:
            return [EntryVotes(entry, int(yes), int(no)) for entry, yes, no in db.exec(query)]
