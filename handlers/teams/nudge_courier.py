"""Nudges into Teams: class channels and students' personal chats, at the address the delivery layer resolved.

A ready nudge names its recipient (store.recipients): a class channel ("19:...@thread.tacv2", from the
cohort's teams_channel) or a rostered student (their Entra object id), and carries where Teams reaches
them (the personal chat the bot saw them in, and the region's service URL: handlers/teams/addresses.py).
Teams keeps no history a bot can search, so `find` cannot recover a post made by a sender that died before
recording it: that nudge is sent again (at least once, only in that crash window).
"""

from __future__ import annotations

from datetime import datetime

from handlers.teams.addresses import resolved
from handlers.teams.cards import nudge_card
from handlers.teams.sender import TeamsSender, message
from knowledge.copy import Copy
from scheduler.ports import Claim, Posted, ReadyNudge
from store.recipients import Recipient


class TeamsNudgeCourier:
    def __init__(self, sender: TeamsSender, copy: Copy):
        self.copy = copy
        self.sender = sender

    def send(self, nudge: ReadyNudge, claim: Claim) -> Posted:
        conversation, service_url = resolved(nudge.address)
        claim()
        card = nudge_card(nudge, self.copy)
        activity_id = self.sender.post(conversation, service_url, message(nudge.text[:500], card))
        return Posted(conversation=conversation, ts=activity_id)

    def find(self, nudge: ReadyNudge, since: datetime) -> Posted | None:
        return None

    def timezone_of(self, student: Recipient) -> str | None:
        return None  # Teams does not share a user's time zone with bots: the institution's zone applies
