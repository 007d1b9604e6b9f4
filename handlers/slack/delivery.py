"""Posting that must arrive exactly once: paced to Slack's limits, and found again by its metadata.

Shared by every sender: answers to students, the nudge courier and the outbox courier. Every message
carries Slack message metadata naming what it delivers (a question's event, a ledger row, an outbox
row). When Slack's answer to a post is lost (a 5xx, a dropped connection, a timeout), or a sender died
between Slack's answer and recording it, the sender looks in the conversation (or the thread) for that
metadata before it ever posts again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack.client import never_sent
from handlers.slack.pacing import Pacer
from scheduler.ports import DeliveryError, Posted

RATE_LIMITED_ATTEMPTS = 8
HISTORY_PAGE = 200
POST_ATTEMPTS = 3
LOOKBACK = timedelta(minutes=2)  # how far before a post its lookup starts: clocks differ a little from Slack's
LOOKUP_AFTER_SECONDS = 1.0  # a post whose answer was lost gets a moment to finish before it is looked for
# Slack's own word that an operation may have partly happened (https://docs.slack.dev/reference/methods)
UNCERTAIN_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
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
        status = error.response.status_code
        if status == 429:
            raise RateLimited(_seconds(error.response.headers.get("Retry-After"))) from error
        code = f"HTTP {status}" if status >= 500 else str(error.response.get("error") or f"HTTP {status}")
        uncertain = status >= 500 or code in UNCERTAIN_ERRORS
        raise DeliveryError(code, permanent=code in PERMANENT_ERRORS, maybe_sent=uncertain,
                            refused=not uncertain and code != "ratelimited") from error
    except (SlackClientError, OSError) as error:
        raise DeliveryError(f"Slack unreachable ({type(error).__name__})", permanent=False,
                            maybe_sent=not never_sent(error)) from error


def _seconds(retry_after: object) -> float:
    try:
        return max(0.0, float(str(retry_after)))
    except ValueError:
        return 1.0


def post_once(post: Callable[[], dict], find: Callable[[], Posted | None]) -> Posted:
    """`post()` (a chat.postMessage carrying metadata), and when its answer is lost, `find()` the post by that
    metadata before posting again: a post is never repeated blindly.

    Raises DeliveryError; with `maybe_sent` when Slack may hold the post and the lookup could not tell
    (Slack is failing): the caller keeps it as unsure and looks again before any later attempt.
    """
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            with as_delivery_errors():
                response = post()
            return Posted(conversation=response["channel"], ts=response["ts"])
        except DeliveryError as error:
            if not error.maybe_sent or attempt == POST_ATTEMPTS:
                raise
        time.sleep(LOOKUP_AFTER_SECONDS)
        try:
            found = find()
        except DeliveryError as lookup:
            raise DeliveryError(f"unsure whether Slack took it ({lookup.reason})", permanent=False,
                                maybe_sent=True) from lookup
        if found is not None:
            return found
    raise AssertionError("unreachable")


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
