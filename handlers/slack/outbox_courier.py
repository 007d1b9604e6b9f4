"""The outbox's way into Slack: each kind of message rendered and posted, paced, stamped with its row.

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
from scheduler.dispatch import DeliveryError, Posted
from scheduler.outbox_worker import Claim, request_to_deliver
from store.alumni import AlumniRequests
from store.models import AlumniRequest, OutboxMessage
from store.outbox import (
    CARD,
    CARD_UPDATE,
    CHECK_IN,
    DIGEST,
    NEEDS_CARD,
    RELAY_TO_STUDENT,
    REMINDER,
    TO_STUDENT,
    TO_THREAD,
)
from store.request_states import STATUSES

log = logging.getLogger(__name__)

OUTBOX_EVENT = "advisor_outbox"
DIGEST_HEADING = "Open alumni-advisor requests"
REMINDER_HEADING = "Waiting to be claimed:"


class SlackCourier:
    def __init__(self, client: WebClient, pacer: Pacer, requests: AlumniRequests, liaison_channel: str,
                 timezone: str):
        self.client = client
        self.pacer = pacer
        self.requests = requests
        self.liaison_channel = liaison_channel
        self.zone = ZoneInfo(timezone)

    def deliver(self, message: OutboxMessage, claim: Claim) -> Posted | None:
        request = request_to_deliver(message, self.requests, self.liaison_channel, "ALUMNI_LIAISON_CHANNEL")
        if message.kind in TO_STUDENT:
            return self._post(message, claim, request.student_id, self._student_message(message, request))
        try:
            return self._to_liaison(message, claim, request)
        except DeliveryError as error:
            if error.permanent and message.kind != CARD_UPDATE:
                log.error("outbox: Slack refused a post to the liaison channel (%s); check ALUMNI_LIAISON_CHANNEL "
                          "and that the bot is in that channel. Kept and retried.", error.reason)
                raise DeliveryError(error.reason, permanent=False) from error
            raise

    def find(self, message: OutboxMessage, since: datetime) -> Posted | None:
        if message.kind == CARD_UPDATE:
            return None  # an update in place: doing it again is harmless
        request = self.requests.get(message.request_id) if message.request_id else None
        if message.kind in TO_STUDENT:
            return find_stamped(self.client, request.student_id, since, self._stamp(message))
        thread = request.card_ts if request and message.kind in NEEDS_CARD else None  # card updates returned above
        return find_stamped(self.client, self.liaison_channel, since, self._stamp(message), thread_ts=thread)

    def _to_liaison(self, message: OutboxMessage, claim: Claim, request: AlumniRequest | None) -> Posted | None:
        if message.kind == CARD:
            return self._post(message, claim, self.liaison_channel, self._card(request))
        if message.kind == CARD_UPDATE:
            content = self._card(request)
            paced(self.pacer, request.card_channel, lambda: claim() or self.client.chat_update(
                channel=request.card_channel, ts=request.card_ts, **content))
            return None
        if message.kind == DIGEST:
            return self._post(message, claim, self.liaison_channel, render.channel_text(message.text, DIGEST_HEADING))
        thread = {"thread_ts": request.card_ts}
        if message.kind == REMINDER:
            content = render.channel_text(message.text, REMINDER_HEADING) | thread | {"reply_broadcast": True}
        elif message.kind == TO_THREAD:
            content = render.student_said(message.text) | thread
        else:
            content = render.thread_note(message.text) | thread
        return self._post(message, claim, request.card_channel, content)

    def _student_message(self, message: OutboxMessage, request: AlumniRequest) -> dict:
        if message.kind == CHECK_IN:
            return render.check_in(request)
        if message.kind == RELAY_TO_STUDENT:
            return render.relay_to_student(request, message.text)
        return render.to_student(request, message.text)

    def _card(self, request: AlumniRequest) -> dict:
        steps = [change for change in self.requests.history(request.id) if change.action in STATUSES]
        return render.card(request, steps[-1] if steps else None, self.zone)

    def _post(self, message: OutboxMessage, claim: Claim, channel: str, content: dict) -> Posted:
        """Claimed at the last moment: after the pacer's slot, right before Slack is called; a post whose answer
        was lost is looked for (in the card's thread, for replies under it) before it is made again."""
        metadata, since = self._stamp(message), datetime.now(UTC) - LOOKBACK
        return post_once(lambda: paced(self.pacer, channel, lambda: claim() or self.client.chat_postMessage(
                             channel=channel, unfurl_links=False, unfurl_media=False, metadata=metadata, **content)),
                         lambda: find_stamped(self.client, channel, since, metadata, content.get("thread_ts")))

    @staticmethod
    def _stamp(message: OutboxMessage) -> dict:
        return stamp(OUTBOX_EVENT, "outbox", message.id)
