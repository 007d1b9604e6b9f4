"""Slack's HTTP endpoint: events, slash commands and interactivity all arrive at POST /slack/events."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

EVENTS_PATH = "/slack/events"


def routes(app: App) -> list[Route]:
    async def slack_events(request: Request) -> Response:
        # Bolt's dispatch is synchronous (signature check, dedupe claim, ack): run it off the event loop.
        bolt_request = to_bolt_request(request, await request.body())
        return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_request))

    return [Route(EVENTS_PATH, slack_events, methods=["POST"])]
