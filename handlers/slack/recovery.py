"""Answers questions that were acknowledged but never answered: the process died, stopped, or Slack failed.

Runs in a daemon thread: at start and then every few seconds it takes the unanswered questions whose lease
ran out (see store/events.py). Each is looked for first (its reply carries the question's event id as message
metadata): a reply that Slack took before the process died is recorded, not sent again. The rest are
dispatched again through the same Bolt listeners, flagged so the dedupe middleware lets them through once.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.common import PLATFORM, RECOVERING, event_place, find_reply
from scheduler.after_ack import ANSWER_AGAIN_AFTER, Stopping
from scheduler.ports import DeliveryError
from store.events import Unfinished

log = logging.getLogger(__name__)
LOOKUP_THREADS = 4


class Recovery:
    def __init__(self, app: App, core: AdvisorCore, interval_seconds: float, lookups: int = LOOKUP_THREADS):
        self.app = app
        self.core = core
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slack-recovery", daemon=True)
        self._lookups = ThreadPoolExecutor(max_workers=lookups, thread_name_prefix="slack-recovery")

    def start(self) -> Recovery:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def run_once(self) -> None:
        """Each question taken over is looked up (side by side: each lookup is a round trip or two to Slack)."""
        list(self._lookups.map(self._recover, self.core.unanswered(PLATFORM)))

    def _recover(self, question: Unfinished) -> None:
        if self._stop.is_set():
            self.core.answer_later(PLATFORM, question.event_id)
            return
        body = json.loads(question.payload)
        try:
            answered = self._already_answered(self.app.client, body)
        except (DeliveryError, Stopping) as error:
            log.warning("event %s: cannot tell yet whether it was answered (%s)", question.event_id, error)
            self.core.answer_later(PLATFORM, question.event_id, ANSWER_AGAIN_AFTER)
            return
        if answered:
            log.info("event %s was answered before its process stopped; recorded", question.event_id)
            self.core.answered(PLATFORM, question.event_id)
            return
        log.warning("answering event %s, acknowledged earlier but never answered", question.event_id)
        self.app.dispatch(BoltRequest(body=body, mode="socket_mode", context={RECOVERING: True}))

    @staticmethod
    def _already_answered(client: WebClient, body: dict) -> bool:
        place = event_place(body)
        return place is not None and find_reply(client, place) is not None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a database hiccup must not end recovery for the life of the process
                log.exception("recovering unanswered questions failed; trying again later")
            self._stop.wait(self.interval)
