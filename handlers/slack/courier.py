"""The nudge dispatcher's way into Slack: posts paced to the rate limits, finds posts a dead sender made.

Each nudge carries message metadata naming its ledger row, so after a crash between Slack's answer and
the ledger's update the dispatcher can look in the conversation's history instead of sending again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk import WebClient

from handlers.slack.delivery import LOOKBACK, as_delivery_errors, find_stamped, paced, post_once, stamp
from handlers.slack.nudge_blocks import nudge_message
from handlers.slack.pacing import Pacer
from scheduler.dispatch import Outgoing, Posted

NUDGE_EVENT = "advisor_nudge"


class SlackMessenger:
    def __init__(self, client: WebClient, pacer: Pacer):
        self.client = client
        self.pacer = pacer

    def send(self, message: Outgoing) -> Posted:
        since = datetime.now(UTC) - LOOKBACK
        content = nudge_message(message)
        return post_once(lambda: paced(self.pacer, message.target, lambda: self.client.chat_postMessage(
                             channel=message.target, unfurl_links=False, metadata=self._stamp(message), **content)),
                         lambda: self.find(message, since))

    def find(self, message: Outgoing, since: datetime) -> Posted | None:
        return find_stamped(self.client, message.target, since, self._stamp(message))

    @staticmethod
    def _stamp(message: Outgoing) -> dict:
        return stamp(NUDGE_EVENT, "delivery", message.delivery_id)

    def timezone_of(self, user_id: str) -> str | None:
        with as_delivery_errors():
            user = self.client.users_info(user=user_id).get("user") or {}
        return user.get("tz") or None
