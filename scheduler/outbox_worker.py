"""Delivering the outbox: every replica runs a worker; claims in the database let one of them send each message.

The worker wakes when this process queues mail and otherwise polls every few seconds, so mail queued by
another replica, or left behind by a restart, goes out on its own. Claiming, recording, backing off (at
most 30 s, so a message goes within a minute of the platform's recovery), halting and recovering a message
whose sender died mid-send (after its lease, looked up by its metadata before any resend) are the delivery
engine's (scheduler/engine.py); this module resolves each row into a `ReadyMail` for the couriers.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from scheduler.engine import DeliveryEngine, Report
from scheduler.ports import DeliveryError, NotReady, ReadyMail
from scheduler.routing import Couriers, MailCourier
from store.alumni import AlumniRequests
from store.models import OutboxMessage
from store.outbox import CARD, CARD_UPDATE, NEEDS_CARD, TO_STUDENT
from store.recipients import Recipient
from store.request_states import STATUSES

log = logging.getLogger(__name__)

BATCH = 500
MAX_BACKOFF_SECONDS = 30
LEASE = timedelta(seconds=40)  # longer than one platform call can take (Slack: 10 s timeout, two reconnects)


class MailResolver:
    """Turns an outbox row into what its courier needs, reading the database so that couriers do not."""

    def __init__(self, requests: AlumniRequests, couriers: Couriers):
        self.requests = requests
        self.couriers = couriers

    def __call__(self, message: OutboxMessage) -> ReadyMail:
        """Raises DeliveryError (the request was deleted; the liaison channel is not set; the student cannot be
        reached) or NotReady (mail that belongs under a card not posted yet)."""
        request = self.requests.get(message.request_id) if message.request_id else None
        if message.request_id and request is None:
            raise DeliveryError("the request was deleted", permanent=True)
        ready = {"message_id": message.id, "kind": message.kind, "text": message.text, "request": request}
        if message.kind in TO_STUDENT:
            student = Recipient(request.platform, request.student_id)
            self.couriers.courier(student.platform, permanent=True)
            return ReadyMail(**ready, to=student, address=self.couriers.address(student, personal=True))
        courier = self.couriers.courier(self.couriers.liaison_place(request and request.card_channel),
                                        permanent=False)
        if not courier.liaison_channel:
            raise DeliveryError(f"{courier.liaison_setting} is not set", permanent=False)
        if message.kind in NEEDS_CARD and not (request and request.card_ts):
            raise NotReady("the card is not posted yet")
        steps = [change for change in self.requests.history(request.id) if change.action in STATUSES] \
            if message.kind in (CARD, CARD_UPDATE) else []
        liaison = Recipient(courier.platform, courier.liaison_channel)
        return ReadyMail(**ready, to=liaison, thread=request.card_ts if message.kind in NEEDS_CARD else None,
                         status_change=steps[-1] if steps else None,
                         address=self.couriers.address(liaison, personal=False))


class OutboxWorker:
    def __init__(self, requests: AlumniRequests, courier: Couriers | MailCourier, workers: int = 4,
                 poll_seconds: float = 5.0, lease: timedelta = LEASE):
        self.outbox = requests.mail
        self.courier = courier
        self.poll_seconds = poll_seconds
        couriers = Couriers.of(courier)
        self.engine = DeliveryEngine("outbox", self.outbox, MailResolver(requests, couriers), couriers,
                                     workers=workers, backoff=_backoff, lease=lease,
                                     in_order=lambda message: message.request_id or f"message-{message.id}",
                                     describe=lambda message: f"message {message.id} ({message.kind})")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)

    def start(self) -> OutboxWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ends after the messages in flight (recorded as sent, or unsure); the rest wait for the next start."""
        self._stop.set()
        self.engine.stop()
        self.outbox.wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def run_once(self) -> Report:
        """Recovers orphans, then sends everything due, request by request in order; stops when a platform fails."""
        report = Report()
        self.engine.recover(report)
        seen: set[int] = set()
        while not self._stop.is_set():
            due = [message for message in self.outbox.due(datetime.now(UTC), BATCH) if message.id not in seen]
            if not due:
                break
            seen.update(message.id for message in due)
            if not self.engine.deliver(due, datetime.now(UTC), report):
                break
        return report

    def _run(self) -> None:
        failing_runs = 0
        while not self._stop.is_set():
            self.outbox.wake.clear()
            try:
                report = self.run_once()
                if report.anything:
                    log.info("outbox: %s", report.as_json())
                # a run that stopped with nothing through counts as failing; one whose later posts got through
                # means the platform is back, and the messages' own backoffs pace what remains
                failing_runs = failing_runs + 1 if report.halted and not report.sent else 0
                wait = self._until_next_due()
            except Exception:  # a database hiccup must not end delivery for the life of the process
                log.exception("outbox: the run failed; trying again shortly")
                failing_runs, wait = failing_runs + 1, self.poll_seconds
            if failing_runs:  # the platform (or the database) is failing: back off, new mail does not wake us early
                self._stop.wait(min(MAX_BACKOFF_SECONDS, 2 ** failing_runs))
            else:
                self.outbox.wake.wait(wait)

    def _until_next_due(self) -> float:
        next_due = self.outbox.next_due()
        if next_due is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.05, (next_due - datetime.now(UTC)).total_seconds()))


def _backoff(message: OutboxMessage) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** message.attempts))
