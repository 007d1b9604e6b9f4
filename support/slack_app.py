"""The real Slack adapter in this process: the core and the Bolt app built as `advisor run` builds them
(cli/services.py, handlers/slack/__init__.py), their Web API calls going to the loopback stand-in, and signed
requests taken in the way Slack's HTTP endpoint takes them (handlers/slack/http.py), without a subprocess,
a web server or a socket in between.

For the fast listener tests (tests/handlers/slack/test_listeners.py) and for benchmarks that time the
listeners alone. A request arrives as Slack sends it, raw bytes and their v0 signature (`Signed`): a body
Bolt cannot even parse has to be refused by the bot's own checks first, as it is in production.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core import AdvisorCore
from cli.services import build_core
from config.settings import Settings, load_settings
from handlers.slack import SlackBot, build_app, http
from support.slack_driver import (
    BOT_TOKEN,
    FORM,
    SIGNING_SECRET,
    command_form,
    event_envelope,
    interaction_form,
    signature_headers,
)


@dataclass(frozen=True)
class Answered:
    """What the endpoint answered: its status and body (Bolt's response, without importing the SDK here)."""

    status: int
    body: str


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
    return signed(command_form(user, text, response_url, channel), FORM)


def interaction(payload: dict) -> Signed:
    return signed(interaction_form(payload), FORM)


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
        self.gate = http.SlackGate(self.settings.slack_signing_secret, self.settings.slack_api_url)

    def receive(self, request: Signed) -> Answered:
        """What POST /slack/events does with a request: the endpoint's own gate (signature, parse, shape), then
        Bolt's dispatch, counted as an acknowledgement in progress so after-ack work gives way to it."""
        admitted = self.gate.admit(request.body, request.headers)
        if isinstance(admitted, http.Refusal):
            return Answered(admitted.status, json.dumps(admitted.body) if admitted.body else "")
        with self.bot.work.after.acknowledgements.acknowledging():
            response = self.bot.app.dispatch(admitted)
        return Answered(response.status, response.body)

    def settle(self, timeout: float = 15.0) -> None:
        """Waits (bounded) until no after-ack work is queued or running: only then is "nothing was sent" true.
        Work is counted when it is handed over, before dispatch returns, so nothing dispatched is missed."""
        if not self.bot.work.after.wait_idle(timeout):
            raise AssertionError(f"after-ack work still running after {timeout} s")

    def close(self, timeout: float = 10.0) -> None:
        """As `advisor run` stops: no new work, what runs gets `timeout` s, then no call reaches Slack."""
        self.bot.work.close(timeout)
