"""The nudge dispatcher's way into Teams: class channels and students' personal chats, from stored references.

Ledger targets for Teams start with "teams:": "teams:19:...@thread.tacv2" is a class channel (from the
cohort's teams_channel), "teams:<Entra object id>" a rostered student, reached in the personal chat the
bot saw them in. Teams keeps no history a bot can search, so `find` cannot recover a post made by a sender
that died before recording it: that nudge is sent again (at least once, only in that crash window).
"""

from __future__ import annotations

from datetime import datetime

from handlers.teams.cards import nudge_card
from handlers.teams.conversations import TeamsConversations
from handlers.teams.sender import TeamsSender, message
from scheduler.dispatch import DeliveryError, Outgoing, Posted

PREFIX = "teams:"


class TeamsMessenger:
    def __init__(self, sender: TeamsSender, conversations: TeamsConversations, service_url: str):
        self.sender = sender
        self.conversations = conversations
        self.default_service_url = service_url

    def send(self, outgoing: Outgoing) -> Posted:
        conversation, service_url = self._where(outgoing)
        activity_id = self.sender.post(conversation, service_url,
                                       message(outgoing.text[:500], nudge_card(outgoing)))
        return Posted(conversation=conversation, ts=activity_id)

    def find(self, outgoing: Outgoing, since: datetime) -> Posted | None:
        return None

    def timezone_of(self, user_id: str) -> str | None:
        return None  # Teams does not share a user's time zone with bots: the institution's zone applies

    def _where(self, outgoing: Outgoing) -> tuple[str, str]:
        target = outgoing.target.removeprefix(PREFIX)
        if outgoing.personal:
            chat = self.conversations.personal_chat(target)
            if chat is None:
                raise DeliveryError("the student has not opened a chat with the bot in Teams", permanent=True)
            return chat.conversation_id, chat.service_url
        return target, self.conversations.service_url(target, self.default_service_url)
