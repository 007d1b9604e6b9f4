"""Once per event, and never silence: the dedupe middleware and what happens when a listener fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse, Respond

from bot.core import AdvisorCore
from handlers.slack.common import (
    PLATFORM,
    RECOVERING,
    interaction_place,
    is_channel_chatter,
    is_question,
    post_reply,
)
from handlers.slack.delivery import as_delivery_errors
from handlers.slack.work import ListenerWork
from scheduler.ports import DeliveryError

log = logging.getLogger(__name__)


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.middleware
    def once_per_event(req: BoltRequest, body: dict, next) -> BoltResponse | None:
        """Claims the event in the database before Slack gets its ack: a retry, a redelivery after a restart
        or a copy sent to another replica is acknowledged and dropped. A question is kept (without Slack's
        legacy verification token) until answered, for crash recovery."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if req.context.get(RECOVERING):
            return next()
        if is_channel_chatter(body):
            return BoltResponse(status=200, body="")
        kept = json.dumps({k: v for k, v in body.items() if k != "token"}) if is_question(body) else None
        if event_id and not core.first_delivery(PLATFORM, event_id, kept):
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("event %s already handled; retry %s acknowledged and dropped", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    @app.middleware
    def respond_like_every_other_call(context: BoltContext, body: dict, next) -> None:
        """`respond` fails the way the other Slack calls do (DeliveryError: unreachable, refused, or unknown
        after a 5xx), so the failure policy applies to it too; a press Slack sent without a response_url (on an
        App Home view) gets a DM instead."""
        if context.response_url and context.respond is not None:
            context["respond"] = checked(context.respond)
        elif body.get("type") == "block_actions":
            client, place = context.client, interaction_place(body)
            context["respond"] = lambda **message: post_reply(
                client, place, {key: message[key] for key in ("text", "blocks") if key in message})
        next()

    @app.error
    def failed(error: Exception, body: dict) -> BoltResponse:
        """A listener (or the claim) raised while Slack waited. Nothing uncommitted is acknowledged: when the
        database failed, Slack gets 503 and redelivers later. Either way the student hears once, after the
        response, never twice however often Slack retries (the apology is looked for first)."""
        work.failed_before_ack(body, error)
        return BoltResponse(status=503 if core.storage_failed(error) else 200, body="")


def checked(respond: Respond) -> Callable[..., None]:
    def send(**message) -> None:
        with as_delivery_errors():
            response = respond(**message)
        status = getattr(response, "status_code", 200)
        if status >= 500:
            raise DeliveryError(f"response_url answered {status}", permanent=False, maybe_sent=True)
        if status >= 400:
            raise DeliveryError(f"response_url answered {status}", permanent=False, refused=True)

    return send
