"""Slack's request signature, checked on the raw bytes before anything reads the request.

Bolt verifies too, but only after it has parsed the body, and its check raises on a timestamp that is not
a whole number, which sent forged requests down the error path with their own body. Here nothing of an
unverified request is parsed, logged or acted on: it gets 401 and one rate-limited log line with the reason.
The HMAC is Slack's v0 scheme over the raw bytes (slack_sdk's SignatureVerifier decodes the body as UTF-8
first, which raises on bytes that are not).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are a few kB; a view submission stays far below this
MAX_AGE_SECONDS = 5 * 60  # Slack's replay window, either side of now
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class SlackSignature:
    def __init__(self, signing_secret: str, clock=time.time):
        self.secret = signing_secret.encode()
        self.clock = clock

    def refusal(self, headers: Mapping[str, str], body: bytes | None) -> str | None:
        """Why the request cannot be trusted, or None when Slack signed it within the last five minutes.

        `headers` has lower-case names; `body` is None when it was larger than MAX_BODY_BYTES.
        """
        if body is None:
            return "body larger than 1 MB"
        timestamp = headers.get("x-slack-request-timestamp") or ""
        signature = headers.get("x-slack-signature") or ""
        if not timestamp or not signature:
            return "unsigned"
        if not _TIMESTAMP.fullmatch(timestamp):
            return "timestamp is not a whole number of seconds"
        if abs(self.clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return "timestamp outside the five-minute window"
        if not _SIGNATURE.fullmatch(signature):
            return "malformed signature"
        digest = hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(f"v0={digest}", signature):
            return "signature does not match"
        return None
