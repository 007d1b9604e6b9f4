"""Drives the real bot as Slack would: `advisor run` in a subprocess, signed HTTP requests to /slack/events.

Shared by the Slack tests and benchmarks/slack_load.py. Nothing here talks to any host but loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "stand-in-signing-secret"
BOT_TOKEN = "xoxb-stand-in"
TEAM = "T0STANDIN"
BOT_USER = "U0ADVISOR"
_ids = itertools.count(1)


def institution_today() -> date:
    """Today where the bot's "today" is (its default INSTITUTION_TIMEZONE), not where the test machine is."""
    return datetime.now(ZoneInfo("America/New_York")).date()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signature_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing secret."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def event_envelope(event: dict, event_id: str | None = None) -> dict:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0ADVISOR", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()), "event": event}


FORM = "application/x-www-form-urlencoded"


def command_form(user: str, text: str, response_url: str, channel: str = "C0GENERAL") -> bytes:
    """`/advisor <text>` as Slack posts it: a form with a response_url and a trigger_id."""
    form = {"command": "/advisor", "text": text, "user_id": user, "channel_id": channel, "team_id": TEAM,
            "response_url": response_url, "trigger_id": f"trigger-{next(_ids)}", "token": "legacy"}
    return urlencode(form).encode()


def interaction_form(payload: dict) -> bytes:
    """A button press or a view submission: the JSON payload in the form field `payload`."""
    payload = {"team": {"id": TEAM}, "api_app_id": "A0ADVISOR", "token": "legacy", **payload}
    return urlencode({"payload": json.dumps(payload)}).encode()


def dm(user: str, text: str, channel: str | None = None, **extra) -> dict:
    ts = f"{time.time():.6f}"
    return {"type": "message", "channel_type": "im", "channel": channel or f"D{user}", "user": user,
            "text": text, "ts": ts, "event_ts": ts, **extra}


def mention(user: str, channel: str, text: str, **extra) -> dict:
    ts = f"{time.time():.6f}"
    return {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
            "event_ts": ts, **extra}


@dataclass
class Response:
    status: int
    body: bytes
    elapsed: float

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


@dataclass
class RunningBot:
    """`advisor run` in HTTP mode against the stand-in; kill() is a hard kill (SIGKILL) for crash tests."""

    api_url: str
    database_url: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    health_path = "/health"

    def environment(self) -> dict[str, str]:
        """The daily digest is off unless a test turns it on: it posts at a wall-clock time (its own tests use a
        fixed clock), so what lands in the liaison channel never depends on the hour the suite runs."""
        env = {**os.environ, "ALUMNI_DIGEST_TIME": "off", "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": self.api_url, "PORT": str(self.port),
               "HOST": "127.0.0.1",
               "DATABASE_URL": self.database_url, "DATA_DIR": str(self.data_dir), "LOG_LEVEL": "INFO",
               **self.extra_env}
        env.pop("SLACK_APP_TOKEN", None)
        return env

    def start(self, timeout: float = 30.0) -> RunningBot:
        env = self.environment()
        self.log_path = self.data_dir / f"bot-{self.port}.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "run"], cwd=self.data_dir,
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get(self.health_path).status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the bot did not become healthy in {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def rss_kib(self) -> dict[str, int]:
        """Resident memory now (VmRSS) and at its peak (VmHWM), from /proc."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
                if line.startswith(("VmRSS", "VmHWM"))}

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                timeout: float = 30.0) -> Response:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            reply = connection.getresponse()
            return Response(reply.status, reply.read(), time.monotonic() - started)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path, timeout=2.0)

    def post_signed(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
                    timestamp: int | None = None, secret: str = SIGNING_SECRET) -> Response:
        all_headers = {"Content-Type": content_type, **signature_headers(body, secret, timestamp), **(headers or {})}
        return self.request("POST", "/slack/events", body, all_headers)

    def send_event(self, event: dict, event_id: str | None = None, retry: int | None = None) -> Response:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        body = json.dumps(event_envelope(event, event_id)).encode()
        return self.post_signed(body, "application/json", headers)

    def send_command(self, user: str, text: str, response_url: str, channel: str = "C0GENERAL") -> Response:
        return self.post_signed(command_form(user, text, response_url, channel), FORM)

    def send_interaction(self, payload: dict) -> Response:
        return self.post_signed(interaction_form(payload), FORM)


@dataclass
class SocketModeBot(RunningBot):
    """`advisor run` in Socket Mode: it connects to the Socket Mode stand-in (`socket`); no HTTP endpoint."""

    socket: object = None  # support.slack_socket_stand_in.SocketModeStandIn

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.pop("SLACK_SIGNING_SECRET", None)
        return {**env, "SLACK_APP_TOKEN": "xapp-stand-in"}

    def start(self, timeout: float = 30.0) -> SocketModeBot:
        self.log_path = self.data_dir / f"bot-socket-{self.port}.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "run"], cwd=self.data_dir,
                                            env=self.environment(), stdout=log, stderr=subprocess.STDOUT)
        if not self.socket.wait_connected(timeout):
            self.stop()
            raise RuntimeError(f"the bot did not connect in {timeout} s:\n{self.log()}")
        return self


def block_action(user: str, action_id: str, value: str, response_url: str, channel: str | None = None,
                 message: dict | None = None) -> dict:
    """A block_actions payload as Slack sends it when a button is pressed."""
    payload = {"type": "block_actions", "user": {"id": user}, "trigger_id": f"trigger-{next(_ids)}",
               "response_url": response_url, "action_ts": f"{time.time():.6f}",
               "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b",
                            "action_ts": f"{time.time():.6f}"}]}
    if channel:
        ts = (message or {}).get("ts", f"{time.time():.6f}")
        payload |= {"channel": {"id": channel}, "container": {"type": "message", "channel_id": channel,
                                                               "message_ts": ts},
                    "message": message or {"ts": ts, "text": "", "blocks": []}}
    else:
        payload["container"] = {"type": "view", "view_id": "V1"}
        payload["view"] = {"id": "V1", "type": "home"}
    return payload


def view_submission(user: str, callback_id: str, texts: dict[str, str], options: dict[str, str] | None = None,
                    private_metadata: str = "", view_id: str | None = None) -> dict:
    """A view_submission payload: each block's input under the action id "value", typed text or a chosen option."""
    state = {block: {"value": {"type": "plain_text_input", "value": value}} for block, value in texts.items()}
    state |= {block: {"value": {"type": "radio_buttons", "selected_option": {"value": value}}}
              for block, value in (options or {}).items()}
    return {"type": "view_submission", "user": {"id": user}, "trigger_id": f"trigger-{next(_ids)}",
            "view": {"id": view_id or f"V{next(_ids):06d}", "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": state}}}
