"""Once per event, and never silence: the dedupe middleware and the apology on failure."""

from __future__ import annotations

import json
import logging

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.core import AdvisorCore
from handlers.slack.blocks import notice
from handlers.slack.common import PLATFORM, RECOVERING, is_channel_chatter, is_question

log = logging.getLogger(__name__)


def register(app: App, core: AdvisorCore) -> None:
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

    @app.error
    def apologise(error: Exception, body: dict, context: BoltContext) -> None:
        """Logs the failure (without the student's words) and tells the student rather than going silent."""
        kind = body.get("event", {}).get("type") or body.get("type") or body.get("command") or "request"
        log.error("handling a Slack %s failed: %s", kind, type(error).__name__, exc_info=error)
        apology = notice(core.copy.apology)
        try:
            if body.get("response_url") or body.get("response_urls"):
                context.respond(response_type="ephemeral", replace_original=False, **apology)
                return
            event = body.get("event") or {}
            channel = (event.get("channel") or (body.get("channel") or {}).get("id")
                       or (body.get("user") or {}).get("id"))
            if channel:
                thread_ts = event.get("thread_ts") or (event.get("ts") if event.get("type") == "app_mention" else None)
                context.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **apology)
                if body.get("event_id"):
                    core.answered(PLATFORM, body["event_id"])
        except Exception:  # the last resort must not raise: log and give up
            log.exception("could not send the apology either")
