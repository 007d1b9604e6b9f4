"""A real HTTP server on loopback standing in for the Slack Web API and for ``response_url`` webhooks.

Tests and benchmarks point ``slack_sdk.WebClient(base_url=stand_in.url)`` and
``WebhookClient(stand_in.response_url(...))`` at it, so the real client code path (HTTP, JSON, retries, rate-limit
handling) is exercised without ever calling slack.com.
Every request is recorded as a :class:`Call`; failures and rate limits can be scripted to prove retry behaviour.

Standard library only, so it works anywhere the test suite does.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Call", "SlackStandIn"]

_API_PREFIX = "/api/"
_DROP = -1  # not an HTTP status: close the connection without answering
_GATEWAY_TIMEOUT = b"<html><body><h1>504 Gateway Time-out</h1></body></html>"
LOSING = ("gateway", "drop", "timeout")
_RESPOND_PREFIX = "/respond/"
_MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}
_VIEW_METHODS = {"views.publish", "views.open", "views.update"}
_AUTH_TEST = {
    "ok": True,
    "url": "https://stand-in.slack.test/",
    "team": "Stand-in",
    "user": "advisor",
    "team_id": "T0STANDIN",
    "user_id": "U0ADVISOR",
    "bot_id": "B0ADVISOR",
}


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, kept so tests can assert on exactly what the bot sent to Slack."""

    method: str  # e.g. "chat.postMessage", or "respond/<name>" for response_url posts
    params: dict  # query string merged with the JSON or form body (JSON-looking form values such as blocks decoded)
    headers: dict  # lower-cased header names
    at: float  # time.monotonic() when the request arrived
    status: int  # the HTTP status the stand-in answered with


class _RateWindow:
    """Sliding-window counter: Slack limits ``chat.postMessage`` per workspace and (about 1/s) per channel."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        # Rates below 1/s mean "one per 1/rate seconds"; otherwise int(rate) per second.
        self.window = 1.0 if rate >= 1 else 1.0 / rate
        self.limit = max(1, int(rate))
        self.times: deque[float] = deque()

    def full(self, now: float) -> bool:
        while self.times and now - self.times[0] >= self.window:
            self.times.popleft()
        return len(self.times) >= self.limit

    def add(self, now: float) -> None:
        self.times.append(now)


class _Server(ThreadingHTTPServer):
    """Threaded server sized for benchmarks firing hundreds of concurrent requests."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, stand_in: SlackStandIn, port: int = 0) -> None:
        self.stand_in = stand_in
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response are normal in tests; anything else is still reported."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Parses a request, lets the stand-in decide the answer, and writes it with Content-Length (keep-alive safe)."""

    protocol_version = "HTTP/1.1"
    server_version = "SlackStandIn/1.0"
    timeout = 30  # idle keep-alive connections must not pin threads forever
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging; calls are recorded instead."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        at = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, content_type, payload, extra = self.server.stand_in._answer(self.path, headers, body, at)
        if status == _DROP:  # the work is done, the answer never comes: the connection just closes
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _parse_form(body: bytes) -> dict[str, Any]:
    """Form bodies carry structured values (blocks, attachments, view) as JSON strings; decode them like Slack does."""
    params: dict[str, Any] = {}
    for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
        decoded = [_maybe_json(value) for value in values]
        params[key] = decoded[0] if len(decoded) == 1 else decoded
    return params


def _maybe_json(value: str) -> Any:
    stripped = value.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


class SlackStandIn:
    """Context manager. Starts on 127.0.0.1 with an OS-chosen port in a daemon thread.

    ``latency`` delays every answer (benchmarks); ``workspace_rate``/``channel_rate`` make ``chat.postMessage``
    answer 429 with ``Retry-After: 1`` beyond that many messages per second, across the workspace or per channel.
    """

    def __init__(
        self, latency: float = 0.0, workspace_rate: float | None = None, channel_rate: float | None = None,
        timezones: dict[str, str] | None = None,
    ) -> None:
        self.latency = latency
        self.timezones = timezones or {}  # users.info's tz per user id; America/New_York otherwise
        self.workspace_rate = workspace_rate
        self.channel_rate = channel_rate
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._records: list[tuple[Call, bool]] = []  # (call, answered ok true)
        self._failures: dict[str, deque[tuple[int, int | None, str | None]]] = {}
        self._workspace_window = _RateWindow(workspace_rate) if workspace_rate is not None else None
        self._channel_windows: dict[str, _RateWindow] = {}
        self._version = 0  # bumped on every change so wait_for never misses one
        self._last_ts = 0.0
        self._view_counter = 0
        self._history: dict[str, list[dict[str, Any]]] = {}  # conversation id -> messages posted there
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._outage: int | None = None  # while set, every Web API call answers this HTTP status
        self._port_kept = 0  # the port while refusing connections
        self._losing: tuple[int, str, frozenset[str], float] | None = None  # (every, how, methods, delay)
        self._lose_count = 0
        self.members: dict[str, list[str]] = {}  # conversations.members per channel id
        self.socket_mode_url: str | None = None  # apps.connections.open's answer (support/slack_socket_stand_in.py)

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``; it ends with "/" because slack_sdk appends the method name."""
        return f"http://127.0.0.1:{self._port()}/api/"

    def response_url(self, name: str) -> str:
        """A ``response_url`` for slash commands/interactions; posts to it are recorded as ``respond/<name>``."""
        return f"http://127.0.0.1:{self._port()}/respond/{name}"

    def _port(self) -> int:
        if self._server is None and self._port_kept:
            return self._port_kept
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started; use start() or a with-block")
        return self._server.server_address[1]

    def start(self) -> SlackStandIn:
        """Bind an OS-chosen port (so parallel test runs never collide) and serve in a daemon thread."""
        if self._server is None:
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-stand-in", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- inspection and scripting

    def calls(self, method: str | None = None) -> list[Call]:
        """Every attempt, failed or not, in arrival order, so retries are visible."""
        with self._lock:
            records = list(self._records)
        calls = [call for call, _ in records if method is None or call.method == method]
        return sorted(calls, key=lambda call: call.at)

    def delivered(self, method: str | None = None) -> list[Call]:
        """Only attempts answered 200 with ok true: what Slack would actually have shown to a student."""
        with self._lock:
            records = list(self._records)
        calls = [call for call, ok in records if ok and (method is None or call.method == method)]
        return sorted(calls, key=lambda call: call.at)

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        """Block until ``count`` delivered calls of ``method`` (matching ``where``) exist; work may be asynchronous.

        Raises AssertionError describing what was received instead, so a failing test explains itself.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                records, version = list(self._records), self._version
            # `where` runs outside the lock so it may itself inspect the stand-in.
            matched = [call for call, ok in records if ok and call.method == method and (where is None or where(call))]
            if len(matched) >= count:
                return sorted(matched, key=lambda call: call.at)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with self._changed:
                if self._version == version:
                    self._changed.wait(remaining)
        received = [(call.method, call.status, ok, call.params) for call, ok in records]
        summary = "\n".join(f"  {m} status={s} ok={ok} params={p!r}" for m, s, ok, p in received) or "  (nothing)"
        condition = " matching `where`" if where is not None else ""
        raise AssertionError(
            f"expected {count} delivered {method} call(s){condition} within {timeout}s, "
            f"got {len(matched)}; received {len(received)} request(s):\n{summary}"
        )

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int | None = None,
                  error: str | None = None) -> None:
        """Script the next ``times`` calls of ``method`` to fail with ``status`` (e.g. 429 or 500) to test retries.

        ``error`` names Slack's error code, e.g. ``status=200, error="user_not_found"`` for a refusal.
        """
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend([(status, retry_after, error)] * times)

    def refuse_connections(self, refuse: bool) -> None:
        """Slack unreachable: the port stops listening (connections are refused) until called with False, when
        the same port listens again. Everything recorded so far is kept."""
        if refuse and self._server is not None:
            self._port_kept = self._server.server_address[1]
            self.stop()
        elif not refuse and self._server is None:
            self._server = _Server(self, self._port_kept)
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="slack-stand-in", daemon=True)
            self._thread.start()

    def outage(self, status: int | None = 500) -> None:
        """Every Web API call fails with `status` until `outage(None)`: Slack down, for tests of patience."""
        with self._lock:
            self._outage = status

    def lose_answers(self, every: int | None, how: str = "gateway", methods: tuple[str, ...] = ("chat.postMessage",),
                     delay: float = 0.0) -> None:
        """Every `every`-th call of `methods` is carried out (the message lands, and counts as delivered) but its
        answer is lost on the way back: "gateway" answers 504 from a proxy, "drop" closes the connection without a
        word, "timeout" answers only after `delay` seconds (longer than the client waits). `None` stops it."""
        if how not in LOSING:
            raise ValueError(f"how must be one of {LOSING}")
        with self._lock:
            self._losing = (every, how, frozenset(methods), delay) if every else None
            self._lose_count = 0

    def _loses_answer(self, method: str) -> tuple[str, float] | None:
        """Whether this call's answer is to be lost, and how. Caller holds the lock."""
        if self._losing is None or method not in self._losing[2]:
            return None
        self._lose_count += 1
        every, how, _, delay = self._losing
        return (how, delay) if self._lose_count % every == 0 else None

    def reset(self) -> None:
        """Forget recorded calls, scripted failures and rate-limit windows between test phases."""
        with self._lock:
            self._records.clear()
            self._version += 1
            self._failures.clear()
            self._losing = None
            self._channel_windows.clear()
            self._history.clear()
            if self.workspace_rate is not None:
                self._workspace_window = _RateWindow(self.workspace_rate)

    # ----------------------------------------------------------------- the fake API

    def _answer(
        self, path: str, headers: dict[str, str], body: bytes, at: float
    ) -> tuple[int, str, bytes, dict[str, str]]:
        """Decide status and body for one request, record it, and return what the handler should write."""
        split = urlsplit(path)
        params: dict[str, Any] = {}
        for key, values in parse_qs(split.query, keep_blank_values=True).items():
            params[key] = values[0] if len(values) == 1 else values
        body_error = False
        if body:
            if headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
                try:
                    parsed = json.loads(body.decode("utf-8"))
                except ValueError:
                    body_error = True
                else:
                    params.update(parsed if isinstance(parsed, dict) else {"_body": parsed})
            else:
                params.update(_parse_form(body))

        if split.path.startswith(_API_PREFIX):
            method, respond = split.path[len(_API_PREFIX) :], False
        elif split.path.startswith(_RESPOND_PREFIX):
            method, respond = "respond/" + split.path[len(_RESPOND_PREFIX) :], True
        else:
            method, respond = split.path, False

        extra: dict[str, str] = {}
        with self._lock:
            scripted = self._failures.get(method)
            failure = scripted.popleft() if scripted else None
            if failure is None and self._outage is not None and not respond:
                failure = (self._outage, None, None)
            if failure is not None:
                status, retry_after, named = failure
                error = named or ("ratelimited" if status == 429 else "internal_error" if status >= 500
                                  else "invalid_request")
                result: dict[str, Any] = {"ok": False, "error": error}
                if status == 429 and retry_after is not None:
                    extra["Retry-After"] = str(retry_after)
            elif not (split.path.startswith(_API_PREFIX) or respond):
                status, result = 404, {"ok": False, "error": "unknown_method"}
            elif body_error:
                status, result = 200, {"ok": False, "error": "invalid_json"}
            elif method == "chat.postMessage" and self._rate_limited(params, at):
                status, result = 429, {"ok": False, "error": "ratelimited"}
                extra["Retry-After"] = "1"
            elif respond:
                status, result = 200, {"ok": True}
            else:
                status, result = 200, self._method_result(method, params)
            ok = status == 200 and bool(result.get("ok"))
            lost = self._loses_answer(method) if ok else None
            self._records.append((Call(method, params, headers, at, status if lost is None else 504), ok))
            self._version += 1
            self._changed.notify_all()

        if self.latency > 0:
            time.sleep(self.latency)
        if lost is not None:
            how, delay = lost
            if how == "gateway":
                return 504, "text/html", _GATEWAY_TIMEOUT, {}
            if how == "drop":
                return _DROP, "", b"", {}
            time.sleep(delay)
        if respond:
            text = "ok" if ok else str(result.get("error", "error"))
            return status, "text/plain; charset=utf-8", text.encode("utf-8"), extra
        return status, "application/json; charset=utf-8", json.dumps(result).encode("utf-8"), extra

    def _rate_limited(self, params: dict[str, Any], at: float) -> bool:
        """Apply the workspace and per-channel sliding windows; only accepted messages count. Caller holds the lock."""
        channel_window = None
        if self.channel_rate is not None:
            channel = str(params.get("channel", ""))
            channel_window = self._channel_windows.setdefault(channel, _RateWindow(self.channel_rate))
        windows = [w for w in (self._workspace_window, channel_window) if w is not None]
        if any(window.full(at) for window in windows):
            return True
        for window in windows:
            window.add(at)
        return False

    def _next_ts(self) -> str:
        """Slack's ts is the posting time in seconds with microseconds, unique within a conversation."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    @staticmethod
    def _conversation(channel: str) -> str:
        """Posting to a user id lands in the DM with them, which has a D... id as in Slack."""
        return f"D{channel}" if channel[:1] in ("U", "W") else channel

    def _method_result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Canned answers shaped like Slack's, with just the fields the bot reads. Caller holds the lock."""
        if method == "auth.test":
            return dict(_AUTH_TEST)
        if method == "apps.connections.open":
            if self.socket_mode_url is None:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_mode_url}
        if method in _MESSAGE_METHODS:
            channel = params.get("channel")
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            # chat.update keeps the message's ts, as Slack does; new messages get a fresh, increasing ts.
            ts = str(params["ts"]) if method == "chat.update" and params.get("ts") else self._next_ts()
            message = {"text": params.get("text"), "ts": ts}
            conversation = self._conversation(str(channel))
            if method == "chat.postMessage":
                metadata = params.get("metadata")
                self._history.setdefault(conversation, []).append(
                    {**message, "thread_ts": params.get("thread_ts"),
                     "reply_broadcast": str(params.get("reply_broadcast")).lower() in ("1", "true"),
                     "metadata": metadata if isinstance(metadata, dict) else None})
            result: dict[str, Any] = {"ok": True, "channel": conversation, "ts": ts, "message": message}
            if method == "chat.postEphemeral":
                result["message_ts"] = ts
            return result
        if method in _VIEW_METHODS:
            self._view_counter += 1
            view = params.get("view")
            echoed = view if isinstance(view, dict) else {}
            return {"ok": True, "view": {**echoed, "id": f"V{self._view_counter}"}}
        if method == "users.info":
            user = str(params.get("user", ""))
            profile = {"real_name": f"Student {user}"}
            info = {"id": user, "tz": self.timezones.get(user, "America/New_York"), "is_bot": False, "profile": profile}
            return {"ok": True, "user": info}
        if method == "conversations.open":
            users = params.get("users", "")
            first = users[0] if isinstance(users, list) and users else str(users).split(",")[0].strip()
            return {"ok": True, "channel": {"id": self._conversation(first)}}
        if method == "conversations.history":
            return self._history_page(params)
        if method == "conversations.replies":
            return self._history_page(params, thread=str(params.get("ts")))
        if method == "conversations.members":
            return {"ok": True, "members": self.members.get(str(params.get("channel")), []),
                    "response_metadata": {"next_cursor": ""}}
        return {"ok": True}

    def _history_page(self, params: dict[str, Any], thread: str | None = None) -> dict[str, Any]:
        """Newest first, after `oldest`, paged by `limit` and `cursor`; metadata only with include_all_metadata.
        History holds a channel's top-level messages; replies (``thread``) one thread's, as in Slack."""
        oldest = float(params.get("oldest") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m for m in reversed(self._history.get(str(params.get("channel")), []))
                    if float(m["ts"]) > oldest and (m.get("thread_ts") == thread if thread else not m.get("thread_ts")
                                                    or m.get("reply_broadcast"))]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in messages[start:start + limit]]
        more = start + limit < len(messages)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}
