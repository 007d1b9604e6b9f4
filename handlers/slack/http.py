"""Slack's HTTP endpoint: events, slash commands and interactivity all arrive at POST /slack/events.

The signature is checked on the raw bytes first (handlers/slack/verification.py); only a request Slack
signed is parsed. A signed body that is not a JSON object (or a form) gets 400; a payload the advisor
does not handle, or one without the shape its kind promises (handlers/slack/shapes.py), is acknowledged
quietly. Only the rest reaches Bolt, its middleware and the listeners.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.request import BoltRequest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from config.logs import RefusalLog
from handlers.slack import shapes
from handlers.slack.verification import MAX_BODY_BYTES, SlackSignature
from scheduler.after_ack import AcknowledgementsFirst

EVENTS_PATH = "/slack/events"
# Bolt is handed the payload already verified and parsed, which Bolt calls "socket_mode" (its only effect: Bolt
# does not verify again). Bolt's own parser reads a slash command whose text contains "payload" as {}.
VERIFIED = "socket_mode"
log = logging.getLogger(__name__)


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body, or None once it passes `limit` bytes (a declared length over it is not read at all)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def parse(body: bytes, content_type: str) -> object:
    """The payload a signed body carries: a JSON object, or a form (a slash command) whose `payload` may be one;
    None when it is neither."""
    try:
        text = body.decode("utf-8")
        if content_type.split(";")[0].strip().lower() == "application/json" or text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        form = dict(parse_qsl(text, keep_blank_values=True))
        return json.loads(form["payload"]) if "payload" in form else form
    except ValueError:  # includes bytes that are not UTF-8
        return None


@dataclass(frozen=True)
class Refusal:
    """What the endpoint answers instead of dispatching: 401 unsigned, 400 unreadable, an empty 200 for a signed
    payload the advisor does not act on."""

    status: int
    body: dict | None = None


class SlackGate:
    """Everything POST /slack/events checks before Bolt sees a request, in order: the signature over the raw bytes,
    the body parsed, the payload's shape. The in-process listener tests call it too, so they test this path."""

    def __init__(self, signing_secret: str, api_url: str | None = None):
        self.signature = SlackSignature(signing_secret)
        self.hosts = shapes.response_hosts(api_url)
        self.refusals = RefusalLog(log, "slack")
        self.ignored = RefusalLog(log, "slack", every_seconds=600)

    def admit(self, body: bytes | None, headers: Mapping[str, str], query: str = "") -> BoltRequest | Refusal:
        reason = self.signature.refusal(headers, body)
        if reason:
            self.refusals.refused(reason)
            return Refusal(401, {"error": "invalid request"})
        payload = parse(body, headers.get("content-type", ""))
        if not isinstance(payload, dict):
            self.refusals.refused("signed, but not a JSON object or a form", status=400)
            return Refusal(400, {"error": "malformed request"})
        why = shapes.problem(payload, self.hosts)
        bolt_request = None if why else shapes.bolt_request(body=payload, mode=VERIFIED, query=query,
                                                            headers=dict(headers))
        if bolt_request is None:  # signed by Slack, but nothing the advisor acts on: acknowledged quietly
            self.ignored.refused(why or "a payload Bolt cannot read", status=200)
            return Refusal(200)
        return bolt_request


def routes(app: App, signing_secret: str, api_url: str | None = None,
           acknowledgements: AcknowledgementsFirst | None = None) -> list[Route]:
    """`acknowledgements`: tells the work after acknowledgements to wait while these are being made."""
    acknowledgements = acknowledgements or AcknowledgementsFirst()
    gate = SlackGate(signing_secret, api_url)

    async def slack_events(request: Request) -> Response:
        admitted = gate.admit(await read_body(request), request.headers, request.url.query)
        if isinstance(admitted, Refusal):
            return (JSONResponse(admitted.body, status_code=admitted.status) if admitted.body
                    else Response(status_code=admitted.status))
        # Bolt's dispatch is synchronous (dedupe claim, ack): run it off the event loop, ahead of answers.
        with acknowledgements.acknowledging():
            return to_starlette_response(await run_in_threadpool(app.dispatch, admitted))

    return [Route(EVENTS_PATH, slack_events, methods=["POST"])]
