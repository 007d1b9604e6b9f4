"""Which categories of personal nudges each student turned off (App Home and `/advisor nudges`)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from store.db import insert_or_update, session, writing
from store.models import NudgeOptOut, utcnow


class NudgePreferences:
    def __init__(self, engine: Engine):
        self.engine = engine

    def opted_out(self, user_id: str) -> set[str]:
        return self.opted_out_many({user_id}).get(user_id, set())

    def opted_out_many(self, user_ids: set[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        users = sorted(user_ids)
        with session(self.engine) as db:
            for start in range(0, len(users), 500):
                for user, category in db.exec(select(NudgeOptOut.user_id, NudgeOptOut.category)
                                              .where(col(NudgeOptOut.user_id).in_(users[start:start + 500]))):
                    found[user].add(category)
        return found

    def choose(self, user_id: str, category: str, wanted: bool) -> None:
        with writing(self.engine) as db:
            if wanted:
                db.execute(delete(NudgeOptOut).where(NudgeOptOut.user_id == user_id,
                                                     NudgeOptOut.category == category))
            else:
                insert_or_update(db, NudgeOptOut, {"user_id": user_id, "category": category,
                                                   "created_at": utcnow()}, keys=("user_id", "category"), update=())
            db.commit()
