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


def serve(app: Starlette, host: str, port: int) -> None:
    log.info("listening on http://%s:%d", host, port)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10)
