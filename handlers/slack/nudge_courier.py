"""Nudges into Slack: each ready nudge rendered and posted, paced to the rate limits, found again after a crash.

Each nudge carries message metadata naming its ledger row, so after a crash between Slack's answer and
the ledger's update the delivery engine looks in the conversation's history instead of sending again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk import WebClient

from handlers.slack.delivery import LOOKBACK, as_delivery_errors, find_stamped, paced, post_once, stamp
from handlers.slack.nudge_blocks import nudge_message
from handlers.slack.pacing import Pacer
from knowledge.copy import Copy
from scheduler.ports import Claim, Posted, ReadyNudge
from store.recipients import Recipient

NUDGE_EVENT = "advisor_nudge"


class SlackNudgeCourier:
    def __init__(self, client: WebClient, pacer: Pacer, copy: Copy):
        self.copy = copy
        self.client = client
        self.pacer = pacer

    def send(self, nudge: ReadyNudge, claim: Claim) -> Posted:
        """Claimed before the pacer's wait, not inside its slot: a database write between the slot and the post
        bunches posts into Slack's window under load (429s; BENCHMARKS.md, issue 15). Nudge claims carry no
        lease (one sender holds the lock), so waiting while claimed costs nothing."""
        since, channel = datetime.now(UTC) - LOOKBACK, nudge.to.id
        content = nudge_message(nudge, self.copy)
        claim()
        return post_once(lambda: paced(self.pacer, channel, lambda: self.client.chat_postMessage(
                             channel=channel, unfurl_links=False, metadata=self._stamp(nudge), **content)),
                         lambda: self.find(nudge, since))

    def find(self, nudge: ReadyNudge, since: datetime) -> Posted | None:
        return find_stamped(self.client, nudge.to.id, since, self._stamp(nudge))

    @staticmethod
    def _stamp(nudge: ReadyNudge) -> dict:
        return stamp(NUDGE_EVENT, "delivery", nudge.delivery_id)

    def timezone_of(self, student: Recipient) -> str | None:
        with as_delivery_errors():
            user = self.client.users_info(user=student.id).get("user") or {}
        return user.get("tz") or None
