"""The outbox into Slack: each ready message rendered by its kind and posted, paced, stamped with its row.

Cards and everything about them go to ALUMNI_LIAISON_CHANNEL (notes and reminders in the card's thread);
notices, relays and check-ins go to the student's DM. A refusal about the liaison channel (not found, bot
not invited) is a setup problem, not the request's: those messages keep being retried, never dropped.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from handlers.slack import alumni_blocks as render
from handlers.slack.delivery import LOOKBACK, find_stamped, paced, post_once, stamp
from handlers.slack.pacing import Pacer
from knowledge.copy import Copy
from scheduler.ports import Claim, DeliveryError, Posted, ReadyMail
from store.outbox import CARD, CARD_UPDATE, CHECK_IN, DIGEST, RELAY_TO_STUDENT, REMINDER, TO_STUDENT, TO_THREAD
from store.recipients import SLACK

log = logging.getLogger(__name__)

OUTBOX_EVENT = "advisor_outbox"


class SlackOutboxCourier:
    platform = SLACK
    liaison_setting = "ALUMNI_LIAISON_CHANNEL"

    def __init__(self, client: WebClient, pacer: Pacer, liaison_channel: str, timezone: str, copy: Copy):
        self.copy = copy
        self.client = client
        self.pacer = pacer
        self.liaison_channel = liaison_channel
        self.zone = ZoneInfo(timezone)

    def send(self, mail: ReadyMail, claim: Claim) -> Posted | None:
        if mail.kind in TO_STUDENT:
            return self._post(mail, claim, mail.to.id, self._student_message(mail))
        try:
            return self._to_liaison(mail, claim)
        except DeliveryError as error:
            if error.permanent and mail.kind != CARD_UPDATE:
                log.error("outbox: Slack refused a post to the liaison channel (%s); check ALUMNI_LIAISON_CHANNEL "
                          "and that the bot is in that channel. Kept and retried.", error.reason)
                raise DeliveryError(error.reason, permanent=False) from error
            raise

    def find(self, mail: ReadyMail, since: datetime) -> Posted | None:
        if mail.kind == CARD_UPDATE:
            return None  # an update in place: doing it again is harmless
        return find_stamped(self.client, mail.to.id, since, self._stamp(mail), thread_ts=mail.thread)

    def _to_liaison(self, mail: ReadyMail, claim: Claim) -> Posted | None:
        request = mail.request
        if mail.kind == CARD:
            return self._post(mail, claim, mail.to.id, self._card(mail))
        if mail.kind == CARD_UPDATE:
            content = self._card(mail)
            paced(self.pacer, request.card_channel, lambda: claim() or self.client.chat_update(
                channel=request.card_channel, ts=mail.thread, **content))
            return None
        if mail.kind == DIGEST:
            return self._post(mail, claim, mail.to.id, render.channel_text(mail.text, "digest_heading", self.copy))
        thread = {"thread_ts": mail.thread}
        if mail.kind == REMINDER:
            content = render.channel_text(mail.text, "reminder_heading", self.copy) | thread | {"reply_broadcast": True}
        elif mail.kind == TO_THREAD:
            content = render.student_said(mail.text, self.copy) | thread
        else:
            content = render.thread_note(mail.text) | thread
        return self._post(mail, claim, request.card_channel, content)

    def _student_message(self, mail: ReadyMail) -> dict:
        if mail.kind == CHECK_IN:
            return render.check_in(mail.request, self.copy)
        if mail.kind == RELAY_TO_STUDENT:
            return render.relay_to_student(mail.request, mail.text, self.copy)
        return render.to_student(mail.request, mail.text, self.copy)

    def _card(self, mail: ReadyMail) -> dict:
        return render.card(mail.request, mail.status_change, self.zone, self.copy)

    def _post(self, mail: ReadyMail, claim: Claim, channel: str, content: dict) -> Posted:
        """Claimed at the last moment: after the pacer's slot, right before Slack is called; a post whose answer
        was lost is looked for (in the card's thread, for replies under it) before it is made again."""
        metadata, since = self._stamp(mail), datetime.now(UTC) - LOOKBACK
        return post_once(lambda: paced(self.pacer, channel, lambda: claim() or self.client.chat_postMessage(
                             channel=channel, unfurl_links=False, unfurl_media=False, metadata=metadata, **content)),
                         lambda: find_stamped(self.client, channel, since, metadata, content.get("thread_ts")))

    @staticmethod
    def _stamp(mail: ReadyMail) -> dict:
        return stamp(OUTBOX_EVENT, "outbox", mail.message_id)
