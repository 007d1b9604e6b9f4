"""The Teams adapter, on the Teams SDK for Python (microsoft-teams-apps): its App validates inbound tokens
and serves /api/messages; TeamsTurns claims each activity before the 200 and answers it after, and
TeamsSender makes every outbound call.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from microsoft_teams.apps import App
from microsoft_teams.apps.auth import InboundActivityTokenValidator
from microsoft_teams.apps.http import FastAPIAdapter

from bot.core import AdvisorCore
from config.settings import Settings
from handlers.teams.activities import PLATFORM
from handlers.teams.auth import BotToken, cloud_of
from handlers.teams.gate import ActivityGate
from handlers.teams.sender import TeamsSender
from handlers.teams.turns import TeamsTurns
from store.conversations import TeamsConversations

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
REQUEST_THREADS = 8  # the endpoint's claims; the answers run on TeamsTurns' own pool


@dataclass
class TeamsBot:
    app: App
    turns: TeamsTurns
    sender: TeamsSender
    conversations: TeamsConversations
    server: uvicorn.Server

    def serve(self) -> None:
        """Serves /api/messages until `server.should_exit` (blocking: run it in a thread of its own)."""
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=REQUEST_THREADS, thread_name_prefix="teams-request"))
        await self.app.start(self.server.config.port)

    def recover(self, core: AdvisorCore) -> None:
        """Handles activities claimed by a process that died or stopped before answering (see store/events.py).
        Teams keeps no history to look in: one whose answer went out just before its process died is answered
        again (the at-least-once window, README)."""
        for question in core.unanswered(PLATFORM):
            log.warning("answering Teams activity %s, received earlier but never answered", question.event_id)
            self.turns.after_ack(json.loads(question.payload))


def build_sender(settings: Settings) -> TeamsSender:
    """The outbound half alone (for `advisor nudges send-due` and the outbox): the SDK's API client."""
    return TeamsSender(_app(settings, FastAPIAdapter()).api)


def build_bot(settings: Settings, core: AdvisorCore, conversations: TeamsConversations) -> TeamsBot:
    fastapi = FastAPI(title="Career advisor (Teams)", docs_url=None, redoc_url=None, openapi_url=None)
    teams = settings.teams
    validator = None if teams.allow_unauthenticated else InboundActivityTokenValidator(teams.client_id,
                                                                                       cloud=cloud_of(teams))
    fastapi.add_middleware(ActivityGate, path=MESSAGES_PATH, validator=validator)
    server = uvicorn.Server(uvicorn.Config(fastapi, host=settings.host, port=settings.teams.port,
                                           log_level="warning", access_log=False))
    app = _app(settings, FastAPIAdapter(app=fastapi, server_factory=lambda _: server))
    sender = TeamsSender(app.api)
    turns = TeamsTurns(core, sender, conversations)

    @fastapi.get("/healthz")
    async def healthz() -> JSONResponse:
        healthy = await asyncio.to_thread(core.healthy)
        return JSONResponse({"ok": healthy}, status_code=200 if healthy else 503)

    @app.on_activity
    async def any_activity(ctx) -> None:
        """Claimed (committed) before the connector gets its 200; answered after it."""
        activity = ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True)
        with turns.after.acknowledgements.acknowledging():
            accepted = await asyncio.to_thread(turns.accept, activity)
        if accepted:
            turns.after_ack(activity)

    return TeamsBot(app, turns, sender, conversations, server)


def _app(settings: Settings, adapter: FastAPIAdapter) -> App:
    teams = settings.teams
    cloud = cloud_of(teams)
    credentials = {"client_id": teams.client_id, "tenant_id": teams.tenant_id,
                   "token": BotToken(teams, cloud)} if teams.client_id else {}
    return App(**credentials, cloud=cloud, http_server_adapter=adapter, messaging_endpoint=MESSAGES_PATH,
               service_url=teams.service_url, dangerously_allow_unauthenticated_requests=teams.allow_unauthenticated,
               state=False, telemetry={"agent365": False})
