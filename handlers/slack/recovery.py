"""Answers questions that were acknowledged but never answered because a process died in between.

Runs in a daemon thread: at start and then every few seconds it takes the unanswered questions whose lease
ran out (see bot/events.py) and dispatches them again through the same Bolt listeners, flagged so the
dedupe middleware lets them through once.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App, BoltRequest

from bot.core import AdvisorCore
from handlers.slack.common import PLATFORM, RECOVERING

log = logging.getLogger(__name__)


class Recovery:
    def __init__(self, app: App, core: AdvisorCore, interval_seconds: float):
        self.app = app
        self.core = core
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slack-recovery", daemon=True)

    def start(self) -> Recovery:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def run_once(self) -> None:
        for question in self.core.unanswered(PLATFORM):
            log.warning("answering event %s, acknowledged earlier but never answered", question.event_id)
            self.app.dispatch(BoltRequest(body=question.payload, mode="socket_mode", context={RECOVERING: True}))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a database hiccup must not end recovery for the life of the process
                log.exception("recovering unanswered questions failed; trying again later")
            self._stop.wait(self.interval)
