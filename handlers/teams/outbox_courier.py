"""The outbox into Teams: each ready message rendered as an Adaptive Card and posted through the connector.

The card goes to TEAMS_LIAISON_CHANNEL and is updated in place; its request records it as card_channel
"teams" and the card's activity id, and notes, reminders and the student's answers go to the card's reply
chain. Notices, relays and check-ins go to the student's personal chat. Where each goes (the chat, the
region's service URL) comes resolved with the message (handlers/teams/addresses.py). Teams keeps no history
a bot can search, so `find` cannot tell whether a sender that died mid-call got its post through: such a
message is sent again (at least once).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alumni_desk import label
from handlers.teams.addresses import resolved
from handlers.teams.alumni_cards import liaison_card, student_card
from handlers.teams.cards import TeamsCopy, escape, notice_card
from handlers.teams.sender import TeamsSender, message
from knowledge.copy import Copy
from scheduler.ports import Claim, Posted, ReadyMail
from store.outbox import CARD, CARD_UPDATE, DIGEST, REMINDER, TO_STUDENT, TO_THREAD
from store.recipients import TEAMS

HEADINGS = {DIGEST: "digest_heading", REMINDER: "reminder_heading", TO_THREAD: "student_replied"}  # copy.yaml keys


class TeamsOutboxCourier:
    platform = TEAMS
    liaison_setting = "TEAMS_LIAISON_CHANNEL"

    def __init__(self, sender: TeamsSender, liaison_channel: str, timezone: str, copy: Copy):
        self.copy = copy
        self.words = TeamsCopy(copy)
        self.sender = sender
        self.liaison_channel = liaison_channel
        self.zone = ZoneInfo(timezone)

    def send(self, mail: ReadyMail, claim: Claim) -> Posted | None:
        if mail.kind in TO_STUDENT:
            return self._to_student(mail, claim)
        channel, service_url = resolved(mail.address)
        request = mail.request
        if mail.kind in (CARD, CARD_UPDATE):
            card = message(self.words.label("card_title", id=request.id),
                           liaison_card(request, self._status(mail), self.copy))
            claim()
            if mail.kind == CARD_UPDATE:
                self.sender.update(channel, mail.thread, service_url, card)
                return None
            return Posted(conversation=TEAMS, ts=self.sender.post(channel, service_url, card))
        conversation = f"{channel};messageid={mail.thread}" if mail.thread else channel
        heading = self.words.text(HEADINGS[mail.kind]) if mail.kind in HEADINGS else ""
        body = f"{heading}\n\n{escape(mail.text or '')}".strip()  # reminders name a specialty
        claim()
        return Posted(conversation, self.sender.post(conversation, service_url, message(body[:500], notice_card(body))))

    def find(self, mail: ReadyMail, since: datetime) -> Posted | None:
        return None

    def _to_student(self, mail: ReadyMail, claim: Claim) -> Posted:
        chat, service_url = resolved(mail.address)
        card = student_card(mail.request, mail.kind, mail.text, self.copy)
        claim()
        activity_id = self.sender.post(chat, service_url,
                                       message(self.words.label("student_card_summary", id=mail.request.id), card))
        return Posted(chat, activity_id)

    def _status(self, mail: ReadyMail) -> str:
        if mail.status_change is None:
            return self.words.text("card_open")
        when = mail.status_change.at.astimezone(self.zone).strftime("%-d %b %H:%M")
        return self.words.text("card_status_since", status=label(mail.request.status).capitalize(), when=when)
