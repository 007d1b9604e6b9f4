"""What a Slack listener does after Slack has its acknowledgement, and what happens when that fails.

Bolt answers Slack when a listener returns (process_before_response), so listeners only decide, commit what
must be committed and hand everything that talks to Slack to AfterAck (scheduler/after_ack.py): an acknowledgement
never waits behind another student's answer or a slow Slack. When something other than Slack fails, the
student gets one apology: it carries the question's key and is looked for first, so it never follows an
answer that went out, and Slack's retries or the recovery add no second one.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.webhook import WebhookClient

from bot.core import AdvisorCore
from handlers.slack.blocks import notice
from handlers.slack.client import StoppableWebClient
from handlers.slack.common import PLATFORM, event_place, interaction_place, is_question, post_reply
from scheduler.after_ack import AfterAck

URGENT_THREADS = 4  # opening a modal: its trigger_id expires 3 s after the press, so it never queues behind answers


class ListenerWork:
    def __init__(self, core: AdvisorCore, client: StoppableWebClient, workers: int):
        self.core = core
        self.client = client
        self.after = AfterAck(core, PLATFORM, workers, URGENT_THREADS)
        self.pool = self.after.pool

    def after_ack(self, body: dict, task: Callable[[], None], urgent: bool = False) -> None:
        """Runs `task` once Slack has its acknowledgement; a question counts as answered when it returns.
        `urgent`: a lane of its own, for calls that must follow the press within seconds (views.open)."""
        self.after.submit(task, _question(body), lambda: self._apologise(body), urgent, what=_kind(body))

    def failed_before_ack(self, body: dict, error: Exception) -> None:
        """A listener or the claim failed while Slack waited: the apology goes after the acknowledgement."""
        self.after_ack(body, lambda: self.after.fail(_question(body), error, lambda: self._apologise(body),
                                                     _kind(body)))

    def close(self, timeout: float) -> list[str]:
        """Stops taking work, gives what runs `timeout` s, then lets no call reach Slack (see AfterAck.close)."""
        return self.after.close(timeout, self.client.refuse)

    def _apologise(self, body: dict) -> None:
        """Once: an event's apology carries its key and is looked for first, like its answer."""
        apology = notice(self.core.copy.apology)
        place = event_place(body)
        if place is not None:
            post_reply(self.client, place, apology, look_first=True)
            return
        response_url = body.get("response_url") or next(
            (url.get("response_url") for url in body.get("response_urls") or [] if url.get("response_url")), None)
        if response_url:
            WebhookClient(response_url, retry_handlers=[]).send(response_type="ephemeral", replace_original=False,
                                                                **apology)
        elif body.get("type") in ("block_actions", "view_submission"):
            post_reply(self.client, interaction_place(body), apology)


def _question(body: dict) -> str | None:
    return body.get("event_id") if is_question(body) else None


def _kind(body: dict) -> str:
    return (body.get("event") or {}).get("type") or body.get("type") or body.get("command") or "request"
