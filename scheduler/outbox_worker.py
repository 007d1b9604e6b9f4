"""Delivering the outbox: every replica runs a worker; claims in the database let one of them send each message.

The worker wakes when this process queues mail and otherwise polls every few seconds, so mail queued by
another replica, or left behind by a restart, goes out on its own. A passing failure (Slack down, 5xx,
rate limited past the client's retries) puts the message back with a backoff capped at 30 s, so it is
delivered within a minute of Slack's recovery; a sender that died mid-send is detected after a lease and
its message looked up in Slack (by its metadata) before it is sent again.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Protocol

from scheduler.dispatch import DeliveryError, Posted
from store.models import AlumniRequest, OutboxMessage
from store.outbox import NEEDS_CARD, TO_STUDENT, Outbox

log = logging.getLogger(__name__)

BATCH = 500
MAX_BACKOFF_SECONDS = 30
NOT_READY_WAIT = timedelta(seconds=3)
LEASE = timedelta(seconds=40)  # longer than one Slack call can take (10 s timeout, two reconnects)
ORPHAN_MARGIN = timedelta(minutes=2)  # clocks differ a little between us and Slack


class NotReady(Exception):
    """The message cannot go yet (a thread reply whose card is not posted): try again shortly, no attempt lost."""


class Taken(Exception):
    """Another sender claimed the message first: nothing to do here."""


class Claim:
    """Taken by the courier at the last moment before each Slack call (after any wait for a rate-limit slot),
    so the lease that tells a dead sender from a slow one counts only time spent talking to Slack."""

    def __init__(self, outbox: Outbox, message_id: int):
        self.outbox = outbox
        self.message_id = message_id
        self.held = False

    def __call__(self) -> None:
        if self.held:
            self.outbox.touch(self.message_id)
        elif self.outbox.claim(self.message_id):
            self.held = True
        else:
            raise Taken(self.message_id)


def request_to_deliver(message: OutboxMessage, requests, liaison_channel: str, setting: str) -> AlumniRequest | None:
    """What every courier checks first: the message's request still exists, and mail for the liaison has a
    channel (named by `setting`) and, when it belongs under the card, a card to go under."""
    request = requests.get(message.request_id) if message.request_id else None
    if message.request_id and request is None:
        raise DeliveryError("the request was deleted", permanent=True)
    if message.kind in TO_STUDENT:
        return request
    if not liaison_channel:
        raise DeliveryError(f"{setting} is not set", permanent=False)
    if message.kind in NEEDS_CARD and not (request and request.card_ts):
        raise NotReady("the card is not posted yet")
    return request


class Courier(Protocol):
    def deliver(self, message: OutboxMessage, claim: Claim) -> Posted | None:
        """Sends it, calling `claim()` right before each Slack call; the new message's place (None for an
        update in place). Raises DeliveryError, NotReady or Taken."""

    def find(self, message: OutboxMessage, since: datetime) -> Posted | None:
        """The message if Slack already has it (its sender died before recording it), else None."""


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    recovered: int = 0
    halted: bool = False  # Slack was failing: the run stopped early

    def as_json(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


class OutboxWorker:
    def __init__(self, outbox: Outbox, courier: Courier, workers: int = 4, poll_seconds: float = 5.0,
                 lease: timedelta = LEASE):
        self.outbox = outbox
        self.courier = courier
        self.workers = workers
        self.poll_seconds = poll_seconds
        self.lease = lease
        self._stop = threading.Event()
        self._counting = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)

    def start(self) -> OutboxWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ends after the messages in flight (recorded as sent, or unsure); the rest wait for the next start."""
        self._stop.set()
        self.outbox.wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def run_once(self) -> Report:
        """Recovers orphans, then sends everything due, request by request in order; stops when Slack fails."""
        report = Report()
        now = datetime.now(UTC)
        self._recover(now, report)
        seen: set[int] = set()
        while not self._stop.is_set():
            due = [message for message in self.outbox.due(datetime.now(UTC), BATCH) if message.id not in seen]
            if not due:
                break
            seen.update(message.id for message in due)
            if not self._fan_out(due, report):
                report.halted = True
                break
        return report

    def _run(self) -> None:
        failing_runs = 0
        while not self._stop.is_set():
            self.outbox.wake.clear()
            try:
                report = self.run_once()
                if report.sent or report.failed or report.retrying or report.recovered:
                    log.info("outbox: %s", report.as_json())
                # a run that stopped with nothing through counts as failing; one whose later posts got through
                # means Slack is back, and the messages' own backoffs pace what remains
                failing_runs = failing_runs + 1 if report.halted and not report.sent else 0
                wait = self._until_next_due()
            except Exception:  # a database hiccup must not end delivery for the life of the process
                log.exception("outbox: the run failed; trying again shortly")
                failing_runs, wait = failing_runs + 1, self.poll_seconds
            if failing_runs:  # Slack (or the database) is failing: back off, new mail does not wake us early
                self._stop.wait(min(MAX_BACKOFF_SECONDS, 2 ** failing_runs))
            else:
                self.outbox.wake.wait(wait)

    def _until_next_due(self) -> float:
        next_due = self.outbox.next_due()
        if next_due is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.05, (next_due - datetime.now(UTC)).total_seconds()))

    def _recover(self, now: datetime, report: Report) -> None:
        """Orphans and unsure messages: each is looked up in the platform before it may be sent again."""
        for message in self.outbox.orphans(now - self.lease):
            try:
                posted = self.courier.find(message, (message.claimed_at or message.due_at) - ORPHAN_MARGIN)
            except DeliveryError as error:
                log.warning("outbox: cannot check message %d yet (%s); it stays held", message.id, error.reason)
                continue
            if posted is None:
                self.outbox.not_found(message, now, "resending: the platform does not have it")
            elif self.outbox.found(message, posted.conversation, posted.ts):
                report.recovered += 1

    def _fan_out(self, due: list[OutboxMessage], report: Report) -> bool:
        """Each request's messages in order, requests in parallel (the courier paces). False if it stopped."""
        by_request: dict[object, list[OutboxMessage]] = defaultdict(list)
        for message in due:
            by_request[message.request_id or f"message-{message.id}"].append(message)
        halt = threading.Event()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="outbox-send") as pool:
            list(pool.map(lambda messages: self._deliver_in_order(messages, report, halt), by_request.values()))
        return not halt.is_set()

    def _deliver_in_order(self, messages: list[OutboxMessage], report: Report, halt: threading.Event) -> None:
        for message in messages:
            if halt.is_set() or self._stop.is_set() or not self._deliver(message, report, halt):
                return

    def _deliver(self, message: OutboxMessage, report: Report, halt: threading.Event) -> bool:
        """True when the request's next message may follow this one."""
        claim = Claim(self.outbox, message.id)
        try:
            posted = self.courier.deliver(message, claim)
        except Taken:
            return False
        except NotReady as waiting:
            self._retry_later(message, claim, f"waiting: {waiting}", NOT_READY_WAIT, attempted=False)
            self._count(report, "waiting")
            return False
        except DeliveryError as error:
            if error.maybe_sent and claim.held:
                halt.set()  # the platform may have it and cannot say: it is failing; the next run looks first
                self.outbox.unsure(message.id, f"unsure: {error.reason}")
                self._count(report, "retrying")
                return False
            if error.permanent:
                log.warning("outbox: message %d (%s) failed for good: %s", message.id, message.kind, error.reason)
                self.outbox.fail(message.id, f"failed: {error.reason}")
                self._count(report, "failed")
                return True
            halt.set()
            self._retry_later(message, claim, f"retrying: {error.reason}", _backoff(message))
            self._count(report, "retrying")
            return False
        except Exception:
            halt.set()
            log.exception("outbox: sending message %d failed; it will be retried", message.id)
            self._retry_later(message, claim, "retrying: unexpected error", _backoff(message))
            self._count(report, "retrying")
            return False
        self.outbox.sent(message, posted.conversation if posted else None, posted.ts if posted else None)
        self._count(report, "sent")
        return True

    def _retry_later(self, message: OutboxMessage, claim: Claim, reason: str, wait: timedelta,
                     attempted: bool = True) -> None:
        """Back to pending if we hold it; if we never claimed it, only its time moves (it is nobody's yet)."""
        retry_at = datetime.now(UTC) + wait
        if claim.held:
            self.outbox.release(message.id, retry_at, reason, attempted)
        else:
            self.outbox.postpone(message.id, retry_at, reason)

    def _count(self, report: Report, name: str) -> None:
        with self._counting:
            setattr(report, name, getattr(report, name) + 1)


def _backoff(message: OutboxMessage) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** message.attempts))
