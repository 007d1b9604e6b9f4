"""What each conversation was last about: remembered for follow-ups, for a day, with no identity in the row."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from store.db import migrated_engine, session
from store.models import ConversationTopic, utcnow
from store.topics import TopicMemory, conversation_key


def test_a_conversation_remembers_its_last_entry_and_threads_are_their_own(database_url):
    memory = TopicMemory(migrated_engine(database_url))
    dm = conversation_key("slack", "U1", "D1", None)
    thread = conversation_key("slack", "U1", "D1", "1700000000.000100")
    memory.remember(dm, "rasa")
    memory.remember(dm, "eras-workshop")
    memory.remember(thread, "match-day")
    assert memory.recall(dm) == "eras-workshop" and memory.recall(thread) == "match-day"
    assert memory.recall(conversation_key("slack", "U2", "D1", None)) is None
    assert memory.recall(conversation_key("teams", "U1", "D1", None)) is None


def test_the_row_names_no_one_and_expires(database_url):
    engine = migrated_engine(database_url)
    memory = TopicMemory(engine, window=timedelta(hours=1))
    key = conversation_key("slack", "U0SECRET", "D0SECRET", None)
    memory.remember(key, "rasa")
    with session(engine) as db:
        [row] = db.exec(select(ConversationTopic)).all()
        assert "SECRET" not in row.conversation_key and len(row.conversation_key) == 64
        row.updated_at = utcnow() - timedelta(hours=2)
        db.add(row)
        db.commit()
    assert memory.recall(key) is None
    memory.remember(conversation_key("slack", "U3", "D3", None), "pdw")  # writing clears what has expired
    with session(engine) as db:
        assert [row.entry_id for row in db.exec(select(ConversationTopic))] == ["pdw"]
