"""Sending through whichever platform a message belongs to, when Slack and Teams run side by side.

Nudges are routed by their ledger target ("teams:..." goes to Teams); outbox mail by its request:
a student's messages go to the platform they asked on, the liaison's to where the card is (or, for a
new card or the digest, to the platform the liaison works in).
"""

from __future__ import annotations

from datetime import datetime

from scheduler.dispatch import DeliveryError, Messenger, Outgoing, Posted
from scheduler.outbox_worker import Claim, Courier
from store.models import OutboxMessage
from store.outbox import TO_STUDENT

TEAMS_PREFIX = "teams:"
TEAMS_CARD = "teams"


class RoutedMessenger:
    def __init__(self, slack: Messenger | None, teams: Messenger | None):
        self.slack = slack
        self.teams = teams

    def _for(self, target: str) -> Messenger:
        platform, messenger = ("Teams", self.teams) if target.startswith(TEAMS_PREFIX) else ("Slack", self.slack)
        if messenger is None:
            raise DeliveryError(f"{platform} is not configured", permanent=True)
        return messenger

    def send(self, message: Outgoing) -> Posted:
        return self._for(message.target).send(message)

    def find(self, message: Outgoing, since: datetime) -> Posted | None:
        return self._for(message.target).find(message, since)

    def timezone_of(self, user_id: str) -> str | None:
        return self._for(user_id).timezone_of(user_id)


class RoutedCourier:
    def __init__(self, slack: Courier | None, teams: Courier | None, requests, liaison_on_teams: bool):
        self.slack = slack
        self.teams = teams
        self.requests = requests
        self.liaison_on_teams = liaison_on_teams

    def _for(self, message: OutboxMessage) -> Courier:
        if (self.slack is None) != (self.teams is None):  # one platform: nothing to decide, nothing to look up
            return self.slack or self.teams
        request = self.requests.get(message.request_id) if message.request_id else None
        if message.kind in TO_STUDENT and request is not None:
            teams = request.platform == "teams"
        elif request is not None and request.card_channel:
            teams = request.card_channel == TEAMS_CARD
        else:
            teams = self.liaison_on_teams
        courier = self.teams if teams else self.slack
        if courier is None:
            raise DeliveryError(f"{'Teams' if teams else 'Slack'} is not configured", permanent=False)
        return courier

    def deliver(self, message: OutboxMessage, claim: Claim) -> Posted | None:
        return self._for(message).deliver(message, claim)

    def find(self, message: OutboxMessage, since: datetime) -> Posted | None:
        return self._for(message).find(message, since)
