"""Slack's HTTP endpoint: events, slash commands and interactivity all arrive at POST /slack/events.

The signature is checked on the raw bytes first (handlers/slack/verification.py); only a request Slack
signed is parsed and handed to Bolt. A signed body that is not a JSON object (or a form carrying one)
gets 400, before any listener, middleware or error handler sees it.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.logs import RefusalLog
from handlers.slack.verification import MAX_BODY_BYTES, SlackSignature

EVENTS_PATH = "/slack/events"
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


def signed_request(body: bytes, request: Request) -> BoltRequest | None:
    """The Bolt request for a verified body, or None when it is not what Slack sends (a JSON object, or a form
    whose `payload` is one)."""
    try:
        text = body.decode("utf-8")
        parsed = _parse(text, request.headers.get("content-type", ""))
        if not isinstance(parsed, dict):
            return None
        return BoltRequest(body=text, query=request.url.query, headers=dict(request.headers))
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def _parse(text: str, content_type: str) -> object:
    if content_type.split(";")[0].strip().lower() == "application/json" or text.lstrip().startswith(("{", "[")):
        return json.loads(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(form["payload"]) if "payload" in form else form


def routes(app: App, signing_secret: str) -> list[Route]:
    signature = SlackSignature(signing_secret)
    refusals = RefusalLog(log, "slack")

    async def slack_events(request: Request) -> Response:
        body = await read_body(request)
        reason = signature.refusal(request.headers, body)
        if reason:
            refusals.refused(reason)
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_request = signed_request(body, request)
        if bolt_request is None:
            refusals.refused("signed, but not a Slack payload", status=400)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        # Bolt's dispatch is synchronous (dedupe claim, ack): run it off the event loop.
        return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_request))

    return [Route(EVENTS_PATH, slack_events, methods=["POST"])]
