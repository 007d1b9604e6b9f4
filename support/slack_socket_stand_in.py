"""A loopback stand-in for Slack's Socket Mode: the WebSocket a Socket Mode app connects to.

The Web API stand-in (support/slack_stand_in.py) answers `apps.connections.open` with this server's ws:// URL, as
Slack answers with its wss:// one. On connection it says hello; a test then delivers envelopes (events,
slash commands, interactivity) the way Slack does and sees which the app acknowledged. Slack redelivers what
was not acknowledged when an app reconnects; tests do that themselves with `deliver(..., retry_attempt=1)`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

_envelope_ids = itertools.count(1)


class SocketModeStandIn:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any] | None] = {}
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SocketModeStandIn:
        self._server = serve(self._serve, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode-stand-in", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"

    def connected(self) -> bool:
        with self._lock:
            return bool(self._connections)

    def wait_connected(self, timeout: float = 30.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: bool(self._connections), timeout)

    def deliver(self, kind: str, payload: dict, retry_attempt: int | None = None) -> str | None:
        """Sends an envelope to the connected app as Slack does; its envelope id, or None when no app is there."""
        envelope_id = f"envelope-{next(_envelope_ids)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api"}
        if retry_attempt:
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": "timeout"}
        with self._lock:
            connection = self._connections[-1] if self._connections else None
            self._acks.setdefault(envelope_id, None)
        if connection is None:
            return None
        try:
            connection.send(json.dumps(envelope))
        except ConnectionClosed:
            return None
        return envelope_id

    def acknowledged(self, envelope_id: str | None, timeout: float = 5.0) -> bool:
        """Whether the app acknowledged this envelope within `timeout` s (what Slack waits for)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            return envelope_id is not None and self._lock.wait_for(
                lambda: self._acks.get(envelope_id) is not None, max(0.0, deadline - time.monotonic()))

    def _serve(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "connection_info": {"app_id": "A0ADVISOR"}, "debug_info": {"host": "stand-in"}}))
        with self._lock:
            self._connections.append(connection)
            self._lock.notify_all()
        try:
            for message in connection:
                ack = json.loads(message)
                with self._lock:
                    if isinstance(ack, dict) and ack.get("envelope_id") in self._acks:
                        self._acks[ack["envelope_id"]] = ack
                        self._lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._connections.remove(connection)
                self._lock.notify_all()
