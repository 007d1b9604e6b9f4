"""What a listener does after Slack has its acknowledgement, and what happens when that fails.

Bolt answers Slack when a listener returns (process_before_response), so listeners only decide, commit what
must be committed and hand everything that talks to Slack to this bounded pool: an acknowledgement never
waits behind another student's answer or a slow Slack. While a question is being answered its claim's lease
is kept alive (recovery elsewhere never takes over live work). Failures follow one policy:

- Slack failing (unreachable, 5xx, a post whose fate it cannot tell): no apology, which would fail too; the
  question is handed to recovery, which looks for the answer before it answers.
- anything else: one apology, looked for first, so an apology never follows an answer that went out and
  Slack's retries or the recovery add no second one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from slack_sdk.webhook import WebhookClient

from bot.core import AdvisorCore
from handlers.slack.blocks import notice
from handlers.slack.client import StoppableWebClient, Stopping
from handlers.slack.common import PLATFORM, event_place, interaction_place, is_question, post_reply
from scheduler.dispatch import DeliveryError

log = logging.getLogger(__name__)
ANSWER_AGAIN_AFTER = timedelta(seconds=30)  # Slack is failing: recovery tries a question again after this
URGENT_THREADS = 4  # opening a modal: its trigger_id expires 3 s after the press, so it never queues behind answers


class ListenerWork:
    def __init__(self, core: AdvisorCore, client: StoppableWebClient, workers: int):
        self.core = core
        self.client = client
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-work")
        self.urgent = ThreadPoolExecutor(max_workers=URGENT_THREADS, thread_name_prefix="slack-urgent")
        self.leases = core.question_leases(PLATFORM).start()
        self._running = 0
        self._idle = threading.Condition()
        self.stopping = threading.Event()

    def after_ack(self, body: dict, task: Callable[[], None], urgent: bool = False) -> None:
        """Runs `task` once Slack has its acknowledgement; a question counts as answered when it returns.
        `urgent`: a lane of its own, for calls that must follow the press within seconds (views.open)."""
        event_id = body.get("event_id") if is_question(body) else None
        if self.stopping.is_set():  # taken after the stop began: recovery answers it after the restart
            if event_id:
                self.core.answer_later(PLATFORM, event_id)
            return
        if event_id:
            self.leases.hold(event_id)
        with self._idle:
            self._running += 1
        (self.urgent if urgent else self.pool).submit(self._run, body, task, event_id)

    def failed_before_ack(self, body: dict, error: Exception) -> None:
        """A listener or the claim failed while Slack waited: the apology goes after the acknowledgement."""
        self.after_ack(body, lambda: self._failed(body, error))

    def close(self, timeout: float) -> list[str]:
        """Stops taking work and waits up to `timeout` s for what is running; returns the questions still open,
        handed back to recovery (which looks for their answers first) so none waits out its lease."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._running and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
        self.client.refuse()
        open_questions = self.leases.held()
        for event_id in open_questions:
            self.core.answer_later(PLATFORM, event_id)
        self.leases.stop()
        return open_questions

    # ------------------------------------------------------------------ internals

    def _run(self, body: dict, task: Callable[[], None], event_id: str | None) -> None:
        try:
            task()
        except (DeliveryError, Stopping) as error:
            if isinstance(error, DeliveryError) and error.refused:  # Slack said no to these words: say sorry
                self._failed(body, error)
            else:
                self._later(body, error)
        except Exception as error:
            self._failed(body, error)
        else:
            if event_id:
                self.core.answered(PLATFORM, event_id)
        finally:
            if event_id:
                self.leases.release(event_id)
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _later(self, body: dict, error: Exception) -> None:
        reason = error.reason if isinstance(error, DeliveryError) else "the bot is stopping"
        if is_question(body):
            log.warning("event %s not answered yet (%s); recovery answers it later", body.get("event_id"), reason)
            self.core.answer_later(PLATFORM, body["event_id"], timedelta(0) if self.stopping.is_set()
                                   else ANSWER_AGAIN_AFTER)
        else:
            log.warning("a Slack %s was not completed: %s", _kind(body), reason)

    def _failed(self, body: dict, error: Exception) -> None:
        """Logs the failure (without the student's words) and tells the student once, rather than going silent."""
        log.error("handling a Slack %s failed: %s", _kind(body), type(error).__name__, exc_info=error)
        try:
            self._apologise(body)
        except DeliveryError as trouble:
            if trouble.refused:
                log.error("Slack refused the apology too (%s)", trouble.reason)
            else:
                self._later(body, trouble)
        except Stopping as trouble:
            self._later(body, trouble)
        except Exception:  # the last resort must not raise: log and give up
            log.exception("could not send the apology either")
        else:
            if is_question(body):
                self.core.answered(PLATFORM, body["event_id"])

    def _apologise(self, body: dict) -> None:
        apology = notice(self.core.copy.apology)
        place = event_place(body)
        if place is not None:
            post_reply(self.client, place, apology, look_first=True)
            return
        response_url = body.get("response_url") or next(
            (url.get("response_url") for url in body.get("response_urls") or [] if url.get("response_url")), None)
        if response_url:
            WebhookClient(response_url, retry_handlers=[]).send(response_type="ephemeral", replace_original=False,
                                                                **apology)
        elif body.get("type") in ("block_actions", "view_submission"):
            post_reply(self.client, interaction_place(body), apology)


def _kind(body: dict) -> str:
    return (body.get("event") or {}).get("type") or body.get("type") or body.get("command") or "request"
