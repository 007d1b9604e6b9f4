"""Spacing chat.postMessage calls under Slack's limits, so a fan-out to thousands runs at full speed without 429s.

Slack allows about one message per second per channel and a workspace-wide rate on top. Every sender
thread asks the pacer for a slot before posting; a 429 pauses everyone for its Retry-After, since the
workspace limit is shared.
"""

from __future__ import annotations

import threading
import time

HEADROOM = 0.95  # aim just under the limit: arrival jitter must not tip a sliding window over it


class Pacer:
    def __init__(self, per_second: float, per_channel_per_second: float = 1.0):
        self.gap = 1.0 / (per_second * HEADROOM)
        self.channel_gap = 1.0 / (per_channel_per_second * HEADROOM)
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._channel_next: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        """Blocks until this thread may post to `channel`."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot, self._channel_next.get(channel, 0.0))
            self._next_slot = slot + self.gap
            self._channel_next[channel] = slot + self.channel_gap
            if len(self._channel_next) > 10_000:
                self._channel_next = {name: at for name, at in self._channel_next.items() if at > now}
        if slot > now:
            time.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Slack said 429: nobody posts again before Retry-After has passed."""
        with self._lock:
            self._next_slot = max(self._next_slot, time.monotonic() + seconds)
