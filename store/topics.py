"""What each conversation was last about: the entry a follow-up question ("when is it?") refers to.

Kept for a day at most (the same window as a nudge's follow-ups) and keyed by a hash, so the table
holds no identities and no student text; rows older than the window are deleted as new ones are written.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from store.db import insert_or_update, session, writing
from store.feedback import message_key
from store.models import ConversationTopic, utcnow

FOLLOW_UP_WINDOW = timedelta(days=1)


def conversation_key(platform: str, user_id: str, conversation: str | None, thread: str | None) -> str:
    return message_key("topic", platform, user_id, conversation or "", thread or "")


class TopicMemory:
    def __init__(self, engine: Engine, window: timedelta = FOLLOW_UP_WINDOW):
        self.engine = engine
        self.window = window

    def remember(self, key: str, entry_id: str) -> None:
        now = utcnow()
        with writing(self.engine) as db:
            insert_or_update(db, ConversationTopic, {"conversation_key": key, "entry_id": entry_id[:100],
                                                     "updated_at": now},
                             keys=("conversation_key",), update=("entry_id", "updated_at"))
            db.execute(delete(ConversationTopic).where(ConversationTopic.updated_at < now - self.window))
            db.commit()

    def recall(self, key: str) -> str | None:
        with session(self.engine) as db:
            row = db.get(ConversationTopic, key)
        return row.entry_id if row is not None and row.updated_at >= utcnow() - self.window else None
