"""Posting that must arrive exactly once: paced to Slack's limits, and found again by its metadata.

Shared by the nudge courier and the outbox courier. Every message carries Slack message metadata naming
the database row it delivers, so after a crash between Slack's answer and the row's update the sender
looks in the conversation (or the thread) instead of posting again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack.pacing import Pacer
from scheduler.dispatch import DeliveryError, Posted

RATE_LIMITED_ATTEMPTS = 8
HISTORY_PAGE = 200
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "account_inactive",
    "cannot_dm_bot", "messages_tab_disabled", "restricted_action", "no_permission", "user_disabled",
    "team_access_not_granted", "msg_too_long", "invalid_blocks", "message_not_found", "cant_update_message",
})


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float):
        super().__init__("rate limited by Slack", permanent=False)
        self.retry_after = retry_after


@contextmanager
def as_delivery_errors() -> Iterator[None]:
    """Slack's failures as the senders understand them: permanent refusals, 429s, or passing trouble."""
    try:
        yield
    except SlackApiError as error:
        if error.response.status_code == 429:
            raise RateLimited(float(error.response.headers.get("Retry-After", 1) or 1)) from error
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        raise DeliveryError(code, permanent=code in PERMANENT_ERRORS) from error
    except (SlackClientError, OSError) as error:
        raise DeliveryError(f"Slack unreachable ({type(error).__name__})", permanent=False) from error


def paced(pacer: Pacer, channel: str, call) -> dict:
    """`call()` when the pacer allows a post to `channel`; a 429 pauses every sender for its Retry-After."""
    for _ in range(RATE_LIMITED_ATTEMPTS):
        pacer.wait(channel)
        try:
            with as_delivery_errors():
                return call()
        except RateLimited as limited:
            pacer.pause(limited.retry_after)
    raise DeliveryError("rate limited by Slack", permanent=False)


def stamp(event_type: str, field: str, value: int) -> dict:
    """The metadata that names a message's row, for `find_stamped`."""
    return {"event_type": event_type, "event_payload": {field: value}}


def find_stamped(client: WebClient, target: str, since: datetime, metadata: dict,
                 thread_ts: str | None = None) -> Posted | None:
    """The message carrying `metadata` posted to `target` (a channel, or a user's DM) since `since`."""
    event_type, ((field, value),) = metadata["event_type"], metadata["event_payload"].items()
    with as_delivery_errors():
        channel = conversation_of(client, target)
        cursor = None
        while True:
            arguments = {"channel": channel, "oldest": f"{since.timestamp():.6f}", "include_all_metadata": True,
                         "limit": HISTORY_PAGE, "cursor": cursor}
            page = (client.conversations_replies(ts=thread_ts, **arguments) if thread_ts
                    else client.conversations_history(**arguments))
            for posted in page.get("messages", []):
                found = posted.get("metadata") or {}
                if found.get("event_type") == event_type and (found.get("event_payload") or {}).get(field) == value:
                    return Posted(conversation=channel, ts=posted["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None


def conversation_of(client: WebClient, target: str) -> str:
    """A user id's DM channel (history is read by channel); a channel id as it is."""
    if target[:1] not in ("U", "W"):
        return target
    return client.conversations_open(users=target)["channel"]["id"]
