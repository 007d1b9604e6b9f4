"""Slack over Socket Mode: Slack's own connection brings the payloads, with the same shape check as HTTP.

A payload the advisor does not handle, or one without the shape its kind promises (handlers/slack/shapes.py),
is acknowledged and goes no further: no listener raises on it. Envelopes the bot does not acknowledge (it
is stopping, or its database cannot take the claim) are redelivered by Slack.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from config.logs import RefusalLog
from handlers.slack import shapes

log = logging.getLogger(__name__)


class CheckedSocketModeHandler(SocketModeHandler):
    def __init__(self, app: App, app_token: str, api_url: str | None):
        super().__init__(app, app_token)
        self.hosts = shapes.response_hosts(api_url)
        self.ignored = RefusalLog(log, "slack", every_seconds=600)

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        why = shapes.problem(req.payload, self.hosts)
        if why:
            self.ignored.refused(why, status=200)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)
