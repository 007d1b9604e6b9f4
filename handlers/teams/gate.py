"""The door in front of /api/messages: the bearer token is validated before the body is read.

The Teams SDK parses the body as JSON before it checks the token, so a request with no token and a body
that is not JSON got 500, and its parse error reached the log. Here a request whose token does not
validate (signature against the Bot Framework keys, issuer, audience, expiry) gets 401 with one
rate-limited log line; an authenticated body that is not a JSON object gets 400. The SDK still validates
the token again, with the activity's serviceUrl, before anything acts on it.
"""

from __future__ import annotations

import json
import logging

from microsoft_teams.apps.auth import InboundActivityTokenValidator
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.logs import RefusalLog
from handlers.teams import shapes

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


class ActivityGate:
    """Pure ASGI middleware, so the body it read is handed on unchanged to the SDK's route."""

    def __init__(self, app: ASGIApp, path: str, validator: InboundActivityTokenValidator | None):
        self.app = app
        self.path = path
        self.validator = validator  # None: TEAMS_ALLOW_UNAUTHENTICATED (local development)
        self.refusals = RefusalLog(log, "teams")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        reason = await self._token_refusal(headers.get("authorization", ""))
        if reason:
            self.refusals.refused(reason)
            await JSONResponse({"error": "Unauthorized"}, status_code=401)(scope, receive, send)
            return
        body = await _read(receive, MAX_BODY_BYTES)
        why = "body larger than 1 MB" if body is None else shapes.problem(_json(body))
        if why:
            status = 413 if body is None else 400
            self.refusals.refused(why, status)
            await JSONResponse({"error": "malformed request"}, status_code=status)(scope, receive, send)
            return
        await self.app(scope, _replay(body), send)

    async def _token_refusal(self, authorization: str) -> str | None:
        if self.validator is None:
            return None
        if not authorization.startswith("Bearer ") or len(authorization) > 16_384:
            return "missing or malformed Authorization header"
        try:
            await self.validator.validate_token(authorization.removeprefix("Bearer "))
        except Exception as error:  # any failure to validate is a refusal, never a 500
            return f"token not valid ({type(error).__name__})"
        return None


async def _read(receive: Receive, limit: int) -> bytes | None:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return bytes(body)
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:  # includes bytes that are not UTF-8
        return None


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
