"""Nudges into Teams: class channels and students' personal chats, reached from stored conversation references.

A ready nudge names its recipient (store.recipients): a class channel ("19:...@thread.tacv2", from the
cohort's teams_channel) or a rostered student (their Entra object id), reached in the personal chat the
bot saw them in. Teams keeps no history a bot can search, so `find` cannot recover a post made by a sender
that died before recording it: that nudge is sent again (at least once, only in that crash window).
"""

from __future__ import annotations

from datetime import datetime

from handlers.teams.cards import nudge_card
from handlers.teams.conversations import TeamsConversations
from handlers.teams.sender import TeamsSender, message
from knowledge.copy import Copy
from scheduler.ports import Claim, DeliveryError, Posted, ReadyNudge
from store.recipients import Recipient


class TeamsNudgeCourier:
    def __init__(self, sender: TeamsSender, conversations: TeamsConversations, service_url: str, copy: Copy):
        self.copy = copy
        self.sender = sender
        self.conversations = conversations  # the bot's address book: where a chat is, and its region
        self.default_service_url = service_url

    def send(self, nudge: ReadyNudge, claim: Claim) -> Posted:
        conversation, service_url = self._where(nudge)
        claim()
        card = nudge_card(nudge, self.copy)
        activity_id = self.sender.post(conversation, service_url, message(nudge.text[:500], card))
        return Posted(conversation=conversation, ts=activity_id)

    def find(self, nudge: ReadyNudge, since: datetime) -> Posted | None:
        return None

    def timezone_of(self, student: Recipient) -> str | None:
        return None  # Teams does not share a user's time zone with bots: the institution's zone applies

    def _where(self, nudge: ReadyNudge) -> tuple[str, str]:
        if nudge.personal:
            chat = self.conversations.personal_chat(nudge.to.id)
            if chat is None:
                raise DeliveryError("the student has not opened a chat with the bot in Teams", permanent=True)
            return chat.conversation_id, chat.service_url
        return nudge.to.id, self.conversations.service_url(nudge.to.id, self.default_service_url)
