"""The nudge dispatcher's way into Slack: posts paced to the rate limits, finds posts a dead sender made.

Each nudge carries message metadata naming its ledger row, so after a crash between Slack's answer and
the ledger's update the dispatcher can look in the conversation's history instead of sending again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack.nudge_blocks import nudge_message
from handlers.slack.pacing import Pacer
from scheduler.dispatch import DeliveryError, Outgoing, Posted

NUDGE_EVENT = "advisor_nudge"
RATE_LIMITED_ATTEMPTS = 8
HISTORY_PAGE = 200
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "account_inactive",
    "cannot_dm_bot", "messages_tab_disabled", "restricted_action", "no_permission", "user_disabled",
    "team_access_not_granted", "msg_too_long", "invalid_blocks",
})


class SlackMessenger:
    def __init__(self, client: WebClient, pacer: Pacer):
        self.client = client
        self.pacer = pacer

    def send(self, message: Outgoing) -> Posted:
        metadata = {"event_type": NUDGE_EVENT, "event_payload": {"delivery": message.delivery_id}}
        for _ in range(RATE_LIMITED_ATTEMPTS):
            self.pacer.wait(message.target)
            try:
                with _as_delivery_errors():
                    response = self.client.chat_postMessage(channel=message.target, unfurl_links=False,
                                                            metadata=metadata, **nudge_message(message))
            except RateLimited as limited:
                self.pacer.pause(limited.retry_after)
                continue
            return Posted(conversation=response["channel"], ts=response["ts"])
        raise DeliveryError("rate limited by Slack", permanent=False)

    def find(self, message: Outgoing, since: datetime) -> Posted | None:
        with _as_delivery_errors():
            channel = self._conversation(message.target)
            cursor = None
            while True:
                page = self.client.conversations_history(channel=channel, oldest=f"{since.timestamp():.6f}",
                                                         include_all_metadata=True, limit=HISTORY_PAGE, cursor=cursor)
                for posted in page.get("messages", []):
                    metadata = posted.get("metadata") or {}
                    if (metadata.get("event_type") == NUDGE_EVENT
                            and (metadata.get("event_payload") or {}).get("delivery") == message.delivery_id):
                        return Posted(conversation=channel, ts=posted["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None

    def timezone_of(self, user_id: str) -> str | None:
        with _as_delivery_errors():
            user = self.client.users_info(user=user_id).get("user") or {}
        return user.get("tz") or None

    def _conversation(self, target: str) -> str:
        """A user id's DM channel (history is read by channel); a channel id as it is."""
        if target[:1] not in ("U", "W"):
            return target
        return self.client.conversations_open(users=target)["channel"]["id"]


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float):
        super().__init__("rate limited by Slack", permanent=False)
        self.retry_after = retry_after


@contextmanager
def _as_delivery_errors() -> Iterator[None]:
    """Slack's failures as the dispatcher understands them: permanent refusals, 429s, or passing trouble."""
    try:
        yield
    except SlackApiError as error:
        if error.response.status_code == 429:
            raise RateLimited(float(error.response.headers.get("Retry-After", 1) or 1)) from error
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        raise DeliveryError(code, permanent=code in PERMANENT_ERRORS) from error
    except (SlackClientError, OSError) as error:
        raise DeliveryError(f"Slack unreachable ({type(error).__name__})", permanent=False) from error
