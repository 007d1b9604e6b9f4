"""Work that follows an acknowledgement, the same for every platform.

Slack and Teams are answered as soon as what they sent is committed; everything that talks back to them
(answers, notices, modals) runs afterwards on a bounded pool. While a question is being answered its
claim's lease is kept alive, so recovery elsewhere never takes over live work. Failures follow one policy:

- the platform failing (unreachable, 5xx, a post whose fate it cannot tell, or the bot stopping): no
  apology, which would fail too; the question is handed to recovery, which looks for the answer (where the
  platform lets it) before it answers;
- anything else, or the platform refusing the reply: logged, and the adapter's apology, once.

On stop, no new work starts, what runs gets a grace period, and the questions still open are handed back
to recovery at once rather than waiting out their leases.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from bot.core import AdvisorCore
from scheduler.ports import DeliveryError

log = logging.getLogger(__name__)
ANSWER_AGAIN_AFTER = timedelta(seconds=30)  # the platform is failing: recovery tries a question again after this
UNSENT_ATTEMPTS = 6  # a reply with no question behind it, never sent: tried again for about a minute
SETTLE_SECONDS = 2.0  # on stop, how long calls already in flight get to come back once no new one may start
ACK_PRIORITY_SECONDS = 1.0  # the longest a task waits for acknowledgements in progress to be done


class Stopping(RuntimeError):
    """The bot is shutting down: no new call to the platform starts."""


def platform_trouble(error: Exception) -> bool:
    """The platform failed or the bot is stopping (try again later), as opposed to a fault worth an apology."""
    return isinstance(error, Stopping) or (isinstance(error, DeliveryError) and not error.refused)


class AcknowledgementsFirst:
    """While requests are being acknowledged, work waits (a little): under a burst the acknowledgements, which
    the platform times out after 3 s, do not share the CPU and the database with answers, which can wait."""

    def __init__(self, patience: float = ACK_PRIORITY_SECONDS):
        self.patience = patience
        self._acknowledging = 0
        self._quiet = threading.Condition()

    @contextmanager
    def acknowledging(self) -> Iterator[None]:
        with self._quiet:
            self._acknowledging += 1
        try:
            yield
        finally:
            with self._quiet:
                self._acknowledging -= 1
                if not self._acknowledging:
                    self._quiet.notify_all()

    def wait_for_quiet(self) -> None:
        with self._quiet:
            self._quiet.wait_for(lambda: not self._acknowledging, self.patience)


class AfterAck:
    def __init__(self, core: AdvisorCore, platform: str, workers: int, urgent_workers: int = 0):
        self.core = core
        self.acknowledgements = AcknowledgementsFirst()
        self.platform = platform
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{platform}-work")
        self.urgent = ThreadPoolExecutor(max_workers=urgent_workers, thread_name_prefix=f"{platform}-urgent") \
            if urgent_workers else self.pool
        self.leases = core.question_leases(platform).start()
        self.stopping = threading.Event()
        self._running = 0
        self._idle = threading.Condition()

    def submit(self, task: Callable[[], None], question: str | None, apologise: Callable[[], None],
               urgent: bool = False, what: str = "request") -> None:
        """Runs `task` after the acknowledgement. `question`: the event id of a question, which counts as
        answered when the task returns. `apologise`: tells the person, once, that it failed. `urgent`: a lane of
        its own, for calls due within seconds. `what`: the kind of request, for the log."""
        if self.stopping.is_set():  # taken after the stop began: recovery answers it after the restart
            if question:
                self.core.answer_later(self.platform, question)
            return
        if question:
            self.leases.hold(question)
        with self._idle:
            self._running += 1
        (self.urgent if urgent else self.pool).submit(self._run, task, question, apologise, what)

    def _again(self, task: Callable[[], None], apologise: Callable[[], None], what: str, attempt: int) -> None:
        """A reply that never left (the platform unreachable) and has no question to hand to recovery (a slash
        command's answer, a button's): tried again after a growing pause, while the bot runs."""
        def resubmit() -> None:
            if not self.stopping.is_set():
                with self._idle:
                    self._running += 1
                self.pool.submit(self._run, task, None, apologise, what, attempt)

        timer = threading.Timer(min(30.0, 2.0 ** attempt), resubmit)
        timer.daemon = True
        timer.start()

    def close(self, timeout: float, before_hand_back: Callable[[], None] = lambda: None,
              settle: float = SETTLE_SECONDS) -> list[str]:
        """Stops taking work and waits up to `timeout` s for what is running; then `before_hand_back()` (the
        platform client starts no new call) and up to `settle` s more for the calls already in flight to come
        back and be recorded. The questions still open go back to recovery, which looks for their answers
        first (where the platform lets it). Returns those questions."""
        self.stopping.set()
        self.wait_idle(timeout)
        before_hand_back()
        self.wait_idle(settle)
        still_open = self.leases.held()
        for event_id in still_open:
            self.core.answer_later(self.platform, event_id)
        self.leases.stop()
        return still_open

    def wait_idle(self, timeout: float) -> bool:
        """Waits up to `timeout` s for the work handed over to finish; True when none is left."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._running and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
            return not self._running

    def later(self, question: str | None, error: Exception) -> None:
        """The platform failed (or the bot is stopping): the question waits for recovery."""
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        if question and self.stopping.is_set():
            log.info("%s: %s handed back to recovery (the bot is stopping)", self.platform, question)
            self.core.answer_later(self.platform, question)
        elif question:
            log.warning("%s: %s not answered yet (%s); recovery answers it later", self.platform, question, reason)
            self.core.answer_later(self.platform, question, ANSWER_AGAIN_AFTER)
        else:
            log.warning("%s: a request was not completed: %s", self.platform, reason)

    def fail(self, question: str | None, error: Exception, apologise: Callable[[], None], what: str) -> None:
        """After a failure that is not the platform's: logged (without the person's words), and one apology."""
        if isinstance(error, DeliveryError):  # the platform would not take the reply (no such chat, bad content)
            log.warning("%s: the reply to a %s was refused: %s", self.platform, what, error.reason)
        else:
            log.error("%s: handling a %s failed: %s", self.platform, what, type(error).__name__, exc_info=error)
        try:
            apologise()
        except Exception as trouble:
            if platform_trouble(trouble):
                self.later(question, trouble)
                return
            if isinstance(trouble, DeliveryError):
                log.warning("%s: the apology was refused too: %s", self.platform, trouble.reason)
            else:  # the last resort must not raise: log and give up
                log.exception("%s: could not send the apology either", self.platform)
        if question:
            self.core.answered(self.platform, question)

    def _recorded(self, step: Callable[[], None], what: str) -> None:
        try:
            step()
        except Exception:  # the database failing: the question's claim stays, and recovery has it
            log.exception("%s: could not record what happened to a %s", self.platform, what)

    def _after_failure(self, task: Callable[[], None], question: str | None, apologise: Callable[[], None],
                       what: str, attempt: int, error: Exception) -> None:
        never_left = isinstance(error, DeliveryError) and not (error.maybe_sent or error.refused)
        if question is None and never_left and attempt < UNSENT_ATTEMPTS and not self.stopping.is_set():
            log.info("%s: a reply to a %s could not be sent (%s); trying again", self.platform, what, error.reason)
            self._again(task, apologise, what, attempt + 1)
        elif platform_trouble(error):
            self.later(question, error)
        else:
            self.fail(question, error, apologise, what)

    def _run(self, task: Callable[[], None], question: str | None, apologise: Callable[[], None], what: str,
             attempt: int = 0) -> None:
        try:
            self.acknowledgements.wait_for_quiet()
            task()
        except Exception as error:
            failure = error
            self._recorded(lambda: self._after_failure(task, question, apologise, what, attempt, failure), what)
        else:
            if question:
                self._recorded(lambda: self.core.answered(self.platform, question), what)
        finally:
            if question:
                self.leases.release(question)
            with self._idle:
                self._running -= 1
                self._idle.notify_all()
