"""The production HTTP server (uvicorn, ASGI): each platform's endpoint plus GET /health for load balancers."""

from __future__ import annotations

import logging
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

log = logging.getLogger(__name__)


def web_app(routes: list[BaseRoute], healthy: Callable[[], bool]) -> Starlette:
    async def health(_request: Request) -> JSONResponse:
        ok = await run_in_threadpool(healthy)
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    return Starlette(routes=[*routes, Route("/health", health, methods=["GET"])])


GRACEFUL_SECONDS = 3  # on stop, requests already being read get this long to be acknowledged


def server(app: Starlette, host: str, port: int) -> uvicorn.Server:
    """The server for `app`; `serve()` it in a thread, set `should_exit` to stop taking connections (those in
    progress finish within GRACEFUL_SECONDS)."""
    log.info("listening on http://%s:%d", host, port)
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                                         timeout_graceful_shutdown=GRACEFUL_SECONDS))
