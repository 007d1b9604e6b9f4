"""The real Slack adapter in this process: the core and the Bolt app built as `advisor run` builds them
(cli/services.py, handlers/slack/__init__.py), their Web API calls going to the loopback stand-in, and signed
requests taken in the way Slack's HTTP endpoint takes them (handlers/slack/http.py), without a subprocess,
a web server or a socket in between.

For the fast listener tests (tests/handlers/slack/test_listeners.py) and for benchmarks that time the
listeners alone. A request arrives as Slack sends it, raw bytes and their v0 signature (`Signed`): a body
Bolt cannot even parse has to be refused by the bot's own checks first, as it is in production.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from slack_bolt import BoltResponse

from bot.core import AdvisorCore
from cli.services import build_core
from config.settings import Settings, load_settings
from handlers.slack import SlackBot, build_app, http, shapes
from handlers.slack.verification import SlackSignature
from support.slack_driver import BOT_TOKEN, SIGNING_SECRET, TEAM, event_envelope, signature_headers

FORM = "application/x-www-form-urlencoded"
_triggers = itertools.count(1)


@dataclass(frozen=True)
class Signed:
    """A request as it reaches the endpoint: the raw body and its headers (lower-case names, as the web server
    hands them over)."""

    body: bytes
    headers: dict[str, str]


def signed(body: bytes, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None,
           headers: dict[str, str] | None = None) -> Signed:
    """`body` with Slack's v0 signature over exactly these bytes (`secret` and `timestamp` to forge one)."""
    all_headers = {"content-type": content_type, **signature_headers(body, secret, timestamp), **(headers or {})}
    return Signed(body, {name.lower(): value for name, value in all_headers.items()})


def event(event: dict, event_id: str | None = None, retry: int | None = None) -> Signed:
    """An Events API delivery (`retry`: Slack's X-Slack-Retry-Num when it sends the same event again)."""
    retried = {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"} if retry else {}
    return signed(json.dumps(event_envelope(event, event_id)).encode(), "application/json", headers=retried)


def command(user: str, text: str, response_url: str, channel: str = "C0GENERAL") -> Signed:
    """`/advisor <text>` as Slack posts it: a form with a response_url and a trigger_id."""
    form = {"command": "/advisor", "text": text, "user_id": user, "channel_id": channel, "team_id": TEAM,
            "response_url": response_url, "trigger_id": f"trigger-in-process-{next(_triggers)}", "token": "legacy"}
    return signed(urlencode(form).encode(), FORM)


def interaction(payload: dict) -> Signed:
    """A button press or a view submission: the JSON payload in the form field `payload`."""
    payload = {"team": {"id": TEAM}, "api_app_id": "A0ADVISOR", "token": "legacy", **payload}
    return signed(urlencode({"payload": json.dumps(payload)}).encode(), FORM)


def listener_settings(api_url: str, database_url: str, data_dir: Path, base: Settings | None = None,
                      **overrides) -> Settings:
    """The settings `advisor run` would read in HTTP mode against the stand-in; the rest from `base` (else the
    environment, which tests isolate)."""
    return replace(base or load_settings(None), database_url=database_url, data_dir=data_dir,
                   slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=api_url,
                   slack_app_token="", **overrides)


@dataclass
class InProcessSlack:
    settings: Settings
    core: AdvisorCore
    bot: SlackBot

    @classmethod
    def build(cls, settings: Settings) -> InProcessSlack:
        """The real core on the settings' database and the real Bolt app (its client calls auth.test at once,
        so the stand-in must be up)."""
        core = build_core(settings)
        return cls(settings, core, build_app(settings, core))

    def __post_init__(self) -> None:
        self.signature = SlackSignature(self.settings.slack_signing_secret)
        self.hosts = shapes.response_hosts(self.settings.slack_api_url)

    def receive(self, request: Signed) -> BoltResponse:
        """What POST /slack/events does with a request, with the endpoint's own checks in its order: the
        signature over the raw bytes (401), the body parsed (400 when it is not an object or a form), the
        payload's shape (quietly acknowledged when the advisor does not handle it), then Bolt's dispatch,
        counted as an acknowledgement in progress so after-ack work gives way to it."""
        if self.signature.refusal(request.headers, request.body):
            return BoltResponse(status=401, body=json.dumps({"error": "invalid request"}))
        payload = http.parse(request.body, request.headers.get("content-type", ""))
        if not isinstance(payload, dict):
            return BoltResponse(status=400, body=json.dumps({"error": "malformed request"}))
        bolt_request = None if shapes.problem(payload, self.hosts) else shapes.bolt_request(
            body=payload, mode=http.VERIFIED, headers=request.headers)
        if bolt_request is None:
            return BoltResponse(status=200, body="")
        with self.bot.work.after.acknowledgements.acknowledging():
            return self.bot.app.dispatch(bolt_request)

    def settle(self, timeout: float = 15.0) -> None:
        """Waits (bounded) until no after-ack work is queued or running: only then is "nothing was sent" true.
        Work is counted when it is handed over, before dispatch returns, so nothing dispatched is missed.
        (AfterAck has no public idle wait; its own one, used by close(), is borrowed here.)"""
        after = self.bot.work.after
        after._wait_idle(timeout)
        if after._running:
            raise AssertionError(f"after-ack work still running after {timeout} s")

    def close(self, timeout: float = 10.0) -> None:
        """As `advisor run` stops: no new work, what runs gets `timeout` s, then no call reaches Slack."""
        self.bot.work.close(timeout)
