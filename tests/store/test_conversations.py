"""The stored Teams conversation references: remembered from activities, read back to address deliveries."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from store.conversations import PERSONAL, ConversationRef, TeamsConversations
from store.db import migrated_engine
from store.models import TeamsConversation

EMEA = "https://smba.trafficmanager.net/emea/"
AMER = "https://smba.trafficmanager.net/amer/"
CHANNEL = "19:class2027@thread.tacv2"


def test_references_are_upserted_and_read_back(database_url):
    conversations = TeamsConversations(migrated_engine(database_url))
    conversations.remember(ConversationRef("a:chat-1", PERSONAL, EMEA, "student-1", tenant_id="tenant"))
    conversations.remember(ConversationRef(CHANNEL, "channel", EMEA, team_id="team"))
    conversations.remember(ConversationRef(CHANNEL, "channel", AMER, team_id="team"))  # the region moved

    assert conversations.get("a:chat-1") == ConversationRef("a:chat-1", PERSONAL, EMEA, "student-1", None, "tenant")
    assert conversations.service_url(CHANNEL, "default") == AMER
    assert conversations.service_url("19:unknown@thread.tacv2", "default") == "default"
    assert conversations.personal_chat("student-1").conversation_id == "a:chat-1"
    assert conversations.personal_chat("student-2") is None


def test_the_latest_personal_chat_is_the_one_used(database_url):
    engine = migrated_engine(database_url)
    conversations = TeamsConversations(engine)
    conversations.remember(ConversationRef("a:old-chat", PERSONAL, EMEA, "student-1"))
    conversations.remember(ConversationRef("a:new-chat", PERSONAL, AMER, "student-1"))
    with Session(engine) as db:  # the old chat was last heard from a day earlier
        old = db.get(TeamsConversation, "a:old-chat")
        old.updated_at = old.updated_at - timedelta(days=1)
        db.add(old)
        db.commit()

    chat = conversations.personal_chat("student-1")
    assert (chat.conversation_id, chat.service_url) == ("a:new-chat", AMER)
