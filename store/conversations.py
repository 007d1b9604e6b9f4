"""Teams conversation references: how to reach a personal chat or a channel again, after any restart.

Teams gives a bot a student's personal-chat id and the region's service URL only inside an activity, so
every inbound activity is remembered here (handlers/teams), and a Teams delivery's address is looked up here
before its courier is called (handlers/teams/addresses.py, configured by the wiring).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from store.db import insert_or_update, session, writing
from store.models import TeamsConversation, utcnow

PERSONAL = "personal"


@dataclass(frozen=True)
class ConversationRef:
    conversation_id: str
    kind: str
    service_url: str
    user_id: str | None = None
    team_id: str | None = None
    tenant_id: str | None = None


class TeamsConversations:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._known: set[ConversationRef] = set()
        self._guard = threading.Lock()

    def remember(self, ref: ConversationRef) -> None:
        """Upserts the reference; one already stored by this process is not written again."""
        with self._guard:
            if ref in self._known:
                return
        values = {"conversation_id": ref.conversation_id, "kind": ref.kind, "user_id": ref.user_id,
                  "team_id": ref.team_id, "tenant_id": ref.tenant_id, "service_url": ref.service_url,
                  "updated_at": utcnow()}
        with writing(self.engine) as db:
            insert_or_update(db, TeamsConversation, values, ("conversation_id",),
                             ("kind", "user_id", "team_id", "tenant_id", "service_url", "updated_at"))
            db.commit()
        with self._guard:
            self._known.add(ref)

    def get(self, conversation_id: str) -> ConversationRef | None:
        with session(self.engine) as db:
            row = db.get(TeamsConversation, conversation_id)
        return _ref(row) if row else None

    def service_url(self, conversation_id: str, default: str) -> str:
        """The region's connector for a conversation the bot has heard from; the configured one otherwise."""
        known = self.get(conversation_id)
        return known.service_url if known else default

    def personal_chat(self, user_id: str) -> ConversationRef | None:
        """The student's personal chat with the bot, once they have opened it (or installed the app)."""
        with session(self.engine) as db:
            row = db.exec(select(TeamsConversation).where(TeamsConversation.user_id == user_id,
                                                          TeamsConversation.kind == PERSONAL)
                          .order_by(col(TeamsConversation.updated_at).desc())).first()
        return _ref(row) if row else None


def _ref(row: TeamsConversation) -> ConversationRef:
    return ConversationRef(row.conversation_id, row.kind, row.service_url, row.user_id, row.team_id, row.tenant_id)
