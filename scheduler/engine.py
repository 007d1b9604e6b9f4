"""One delivery engine for the nudge ledger and the outbox: claim, send, record, back off, halt, recover.

Each user supplies its rows' store (the ledger, the outbox), how to resolve a row into a ready delivery,
and a courier. The engine guarantees, for both:

- a row is claimed in its own commit right before the platform is called (`Claim`), so two senders never
  post it both; the claim is a lease, renewed at each further call for the same row;
- the outcome is recorded: sent with the post's place; failed for good (a refusal); back to pending after
  a passing failure, at the user's backoff; or unsure when the platform may have taken it and cannot say;
- a run halts at the first sign that the platform is failing (what is not yet claimed stays pending);
- an orphan (a claim whose sender died, its lease over) or an unsure row is looked up on the platform by
  the metadata it carries before it may be sent again: never a blind retry after an ambiguous failure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from scheduler.ports import Claim, Courier, DeliveryError, NotReady, Posted, Taken

log = logging.getLogger(__name__)

ORPHAN_MARGIN = timedelta(minutes=2)  # clocks differ a little between us and the platform
NOT_READY_WAIT = timedelta(seconds=3)

Row = TypeVar("Row")
Ready = TypeVar("Ready")


class Store(Protocol[Row]):
    """What the engine needs of a table of rows to deliver (store.ledger via scheduler.dispatch, store.outbox)."""

    def claim(self, row_id: int) -> bool: ...
    def touch(self, row_id: int) -> None: ...
    def orphans(self, claimed_before: datetime | None) -> list[Row]: ...
    def found(self, row: Row, conversation: str | None, ts: str | None, at: datetime) -> bool: ...
    def not_found(self, row: Row, at: datetime, reason: str) -> bool: ...
    def sent(self, row: Row, conversation: str | None, ts: str | None, at: datetime) -> None: ...
    def unsure(self, row_id: int, reason: str) -> None: ...
    def release(self, row_id: int, retry_at: datetime, reason: str, attempted: bool = True) -> None: ...
    def postpone(self, row_id: int, until: datetime, reason: str) -> None: ...
    def fail(self, row_id: int, reason: str) -> None: ...


@dataclass
class Report:
    """One run of either user. The first four are the nudges' planning and policy; the rest the engine's."""

    planned: int = 0
    missed: int = 0
    deferred: int = 0
    skipped: int = 0
    recovered: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    halted: bool = False  # the platform was failing: the run stopped early

    def as_json(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @property
    def anything(self) -> bool:
        return bool(self.sent or self.skipped or self.failed or self.retrying or self.recovered)


class DeliveryEngine(Generic[Row, Ready]):
    def __init__(self, name: str, store: Store[Row], resolve: Callable[[Row], Ready], courier: Courier[Ready], *,
                 workers: int, backoff: Callable[[Row], timedelta], lease: timedelta | None,
                 in_order: Callable[[Row], Hashable] | None = None, describe: Callable[[Row], str] | None = None):
        """`lease`: how long a claim lasts before its row counts as orphaned (None: every claim found at the start
        of a run, for a user that holds a lock across replicas). `in_order`: rows with the same key go one after
        another, and a row that does not go holds back the rest of its key."""
        self.name = name
        self.store = store
        self.resolve = resolve
        self.courier = courier
        self.workers = workers
        self.backoff = backoff
        self.lease = lease
        self.in_order = in_order or (lambda row: row.id)
        self.describe = describe or (lambda row: f"row {row.id}")
        self.stopping = threading.Event()
        self._counting = threading.Lock()

    def stop(self) -> None:
        """Nothing more is sent: what is in flight is recorded, rows not yet claimed stay pending."""
        self.stopping.set()

    def recover(self, report: Report) -> None:
        """Orphans and unsure rows: each is looked up on the platform before it may be sent again."""
        now = datetime.now(UTC)
        for row in self.store.orphans(None if self.lease is None else now - self.lease):
            try:
                posted = self.courier.find(self.resolve(row), (row.claimed_at or row.due_at) - ORPHAN_MARGIN)
            except NotReady:
                continue
            except DeliveryError as error:
                if error.permanent:  # it can neither be found nor sent (its request was deleted)
                    self.store.fail(row.id, f"failed: {error.reason}")
                    report.failed += 1
                else:
                    log.warning("%s: cannot check %s yet (%s); it stays held", self.name, self.describe(row),
                                error.reason)
                continue
            if posted is None:
                self.store.not_found(row, now, "resending: the platform does not have it")
            elif self.store.found(row, posted.conversation, posted.ts, now):
                report.recovered += 1

    def deliver(self, rows: list[Row], now: datetime, report: Report) -> bool:
        """Sends `rows` (in parallel, each `in_order` key in order); False when the run should stop.

        Times recorded are `now` plus the time the run has taken, so a run for a given moment (`send-due
        --now`) keeps the ledger consistent with that moment.
        """
        started = time.monotonic()
        at = lambda: now + timedelta(seconds=time.monotonic() - started)  # noqa: E731
        groups: dict[Hashable, list[Row]] = defaultdict(list)
        for row in rows:
            groups[self.in_order(row)].append(row)
        halt = threading.Event()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"{self.name}-send") as pool:
            list(pool.map(lambda group: self._in_order(group, at, report, halt), groups.values()))
        report.halted = report.halted or halt.is_set()
        return not (halt.is_set() or self.stopping.is_set())

    def _in_order(self, rows: list[Row], at: Callable[[], datetime], report: Report, halt: threading.Event) -> None:
        for row in rows:
            if halt.is_set() or self.stopping.is_set() or not self._deliver(row, at, report, halt):
                return

    def _deliver(self, row: Row, at: Callable[[], datetime], report: Report, halt: threading.Event) -> bool:
        """True when the next row of its group may follow this one."""
        claim = Claim(self.store, row.id)
        try:
            posted: Posted | None = self.courier.send(self.resolve(row), claim)
        except Taken:
            return False
        except NotReady as waiting:
            self._retry_later(row, claim, f"waiting: {waiting}", at() + NOT_READY_WAIT, attempted=False)
            self._count(report, "waiting")
            return False
        except DeliveryError as error:
            if error.maybe_sent and claim.held:
                halt.set()  # the platform may have it and cannot say: it is failing; the next run looks first
                self.store.unsure(row.id, f"unsure: {error.reason}")
            elif error.permanent:
                log.warning("%s: %s failed for good: %s", self.name, self.describe(row), error.reason)
                self.store.fail(row.id, f"failed: {error.reason}")
                self._count(report, "failed")
                return True
            else:
                halt.set()
                self._retry_later(row, claim, f"retrying: {error.reason}", at() + self.backoff(row))
            self._count(report, "retrying")
            return False
        except Exception:
            halt.set()
            log.exception("%s: sending %s failed; it will be retried", self.name, self.describe(row))
            self._retry_later(row, claim, "retrying: unexpected error", at() + self.backoff(row))
            self._count(report, "retrying")
            return False
        self.store.sent(row, posted.conversation if posted else None, posted.ts if posted else None, at())
        self._count(report, "sent")
        return True

    def _retry_later(self, row: Row, claim: Claim, reason: str, when: datetime, attempted: bool = True) -> None:
        """Back to pending if we hold it; if we never claimed it, only its time moves (it is nobody's yet)."""
        if claim.held:
            self.store.release(row.id, when, reason, attempted)
        else:
            self.store.postpone(row.id, when, reason)

    def _count(self, report: Report, name: str) -> None:
        with self._counting:
            setattr(report, name, getattr(report, name) + 1)
