"""The alumni-advisor front desk: what students and the Alumni Liaison can do with requests, and who may.

Students file requests and see only their own; the liaison's actions (claim, ask for more, connected,
close) are refused to anyone who is not liaison staff. Every step queues the messages it owes (the
card's update, the student's notice, relays) in its own transaction; the outbox delivers them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from knowledge.context import InputError
from knowledge.copy import Copy
from knowledge.loader import load_copy
from store.alumni import CLAIMED, CLOSED, CONNECTED, NEEDS_INFO, AlumniRequests, Intake, Mail
from store.models import AlumniRequest, utcnow
from store.outbox import CHECK_IN, NOTE, RELAY_TO_STUDENT, STUDENT, TO_THREAD, Outbox
from store.students import ProfileStore

MEMBERS_CACHE_SECONDS = 60.0
CHECK_IN_ANSWERS = {
    "helpful": "connected, and it was helpful",
    "not_helpful": "connected, but it was not much help",
    "not_yet": "not connected yet",
}


class NotLiaison(Exception):
    """Someone who is not liaison staff pressed a liaison button: refused, nothing changed."""


class Liaisons:
    """Who may act on requests: LIAISON_USER_IDS, or else the members of the liaison channel.

    The platform adapter supplies the member lookup. Members are kept for a minute; after that the last answer
    stands while a background thread asks again, so a liaison's button press is never held up by a call to the
    platform (only the very first lookup waits). When a lookup fails the last answer (or the configured ids
    alone) stands rather than locking the liaison out.
    """

    def __init__(self, user_ids: frozenset[str], members: Callable[[], frozenset[str]] | None = None):
        self.user_ids = user_ids
        self._members = members
        self._cached: tuple[float, frozenset[str]] | None = None
        self._lock = threading.Lock()
        self._refreshing = False

    def use_members(self, members: Callable[[], frozenset[str]]) -> None:
        """The member lookup; the first answer is fetched in the background now, so no press waits for it."""
        self._members = members
        if not self.user_ids:
            threading.Thread(target=self._refresh, name="liaison-members", daemon=True).start()

    def includes(self, user_id: str) -> bool:
        if self.user_ids:
            return user_id in self.user_ids
        return user_id in self._channel_members()

    def _channel_members(self) -> frozenset[str]:
        with self._lock:
            cached, stale = self._cached, (self._cached is not None
                                           and time.monotonic() - self._cached[0] >= MEMBERS_CACHE_SECONDS)
            if stale and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, name="liaison-members", daemon=True).start()
        return cached[1] if cached else self._refresh()

    def _refresh(self) -> frozenset[str]:
        try:
            members = self._members() if self._members else frozenset()
        except Exception:  # the platform unreachable: the last known members, or nobody
            with self._lock:
                self._refreshing = False
                return self._cached[1] if self._cached else frozenset()
        with self._lock:
            self._cached, self._refreshing = (time.monotonic(), members), False
        return members


@dataclass(frozen=True)
class Outcome:
    """What a liaison action did: the request as it is now, or why nothing changed."""

    request: AlumniRequest | None
    problem: str | None = None  # neutral Markdown, from copy.yaml


class RequestDesk:
    def __init__(self, requests: AlumniRequests, profiles: ProfileStore, liaisons: Liaisons,
                 check_in_after: timedelta, today: Callable[[], date], copy: Copy | None = None):
        self.copy = copy or load_copy()
        self.requests = requests
        self.profiles = profiles
        self.liaisons = liaisons
        self.check_in_after = check_in_after
        self.today = today

    @property
    def outbox(self) -> Outbox:
        return self.requests.mail

    # ----------------------------------------------------------------- students

    def file(self, platform: str, student_id: str, intake: Intake, intake_key: str,
             notify: bool = False) -> tuple[AlumniRequest, bool]:
        """Files (committed before the platform is answered) with the student's class and phase; `notify`
        also DMs the student a receipt, for intake paths whose reply is not the receipt itself (the modal).
        Raises InputError with a message for the student."""
        profile = self.profiles.get(platform, student_id)
        context = self.profiles.context(profile, self.today())
        receipt = (Mail(STUDENT, self.copy.say("alumni_form_receipt", platform)),) if notify else ()
        return self.requests.file(intake_key, platform, student_id, intake, profile.class_of, profile.track,
                                  context.phase, also=receipt)

    def mine(self, platform: str, student_id: str) -> list[AlumniRequest]:
        return self.requests.of_student(platform, student_id)

    def student_reply(self, platform: str, student_id: str, conversation: str, thread_ts: str | None,
                      text: str, event_id: str | None = None) -> AlumniRequest | None:
        """A student's reply in the thread of a message about their request goes to the card's thread.
        None when the thread is not about one of their requests (then it is an ordinary question)."""
        if not thread_ts:
            return None
        sent = self.outbox.about_message(conversation, thread_ts)
        if not (sent and sent.request_id):
            return None
        return self.student_answer(platform, student_id, sent.request_id, text, event_id)

    def student_answer(self, platform: str, student_id: str, request_id: int, text: str,
                       event_id: str | None = None) -> AlumniRequest | None:
        """The student's words about their own request, to the card's thread (a thread reply in Slack, the
        answer form in Teams); None when the request is not theirs or there is nothing to pass on."""
        request = self.requests.get(request_id)
        if request is None or (request.platform, request.student_id) != (platform, student_id) or not text.strip():
            return None
        if not self.requests.note(request.id, student_id, "student_replied", text, (Mail(TO_THREAD, text),),
                                  once=event_id):
            return None
        return request

    def check_in(self, platform: str, student_id: str, request_id: int, answer: str) -> bool:
        request = self.requests.get(request_id)
        if answer not in CHECK_IN_ANSWERS or request is None or (request.platform, request.student_id) != (
                platform, student_id):
            return False
        said = CHECK_IN_ANSWERS[answer]
        return self.requests.note(request_id, student_id, "check_in", said,
                                  (Mail(NOTE, self.copy.say("check_in_note", said=said)),))

    # ----------------------------------------------------------------- the liaison

    def claim(self, request_id: int, actor: str) -> Outcome:
        return self._step(request_id, actor, CLAIMED, None, Mail(STUDENT, self.copy.say("request_claimed")))

    def ask_for_info(self, request_id: int, actor: str, question: str) -> Outcome:
        question = _required(question, "what you would like to ask the student")
        return self._step(request_id, actor, NEEDS_INFO, question, Mail(RELAY_TO_STUDENT, question))

    def connect(self, request_id: int, actor: str, alumnus: str, notes: str | None) -> Outcome:
        alumnus = _required(alumnus, "the alum's name")[:200]
        notes = " ".join((notes or "").split()) or None
        told = self.copy.say("request_connected", alumnus=alumnus) + (
            " " + self.copy.say("request_connected_notes", notes=notes) if notes else "")
        check_in = Mail(CHECK_IN, due_at=utcnow() + self.check_in_after)
        return self._step(request_id, actor, CONNECTED, alumnus, Mail(STUDENT, told), check_in,
                          alumnus=alumnus, outcome_notes=notes)

    def close(self, request_id: int, actor: str, reason: str) -> Outcome:
        reason = _required(reason, "a reason (the student sees it)")[:300]
        request = self.requests.get(request_id)  # the student reads how to make a new one on their own platform
        told = self.copy.say("request_closed", request.platform if request else "default", reason=reason)
        return self._step(request_id, actor, CLOSED, reason, Mail(STUDENT, told), close_reason=reason)

    def liaison_reply(self, channel: str, thread_ts: str, actor: str, text: str,
                      event_id: str | None = None) -> AlumniRequest | None:
        """A liaison's reply in a card's thread, relayed to the student; None if the thread is no card's
        or the writer is not liaison staff (their words stay in the channel)."""
        request = self.requests.by_card(channel, thread_ts)
        if request is None or not self.liaisons.includes(actor) or not text.strip():
            return None
        self.requests.note(request.id, actor, "liaison_replied", text, (Mail(RELAY_TO_STUDENT, text),),
                           once=event_id)
        return request

    @property
    def not_liaison(self) -> str:
        """What someone who is not liaison staff is told when they press a liaison button."""
        return self.copy.say("not_liaison")

    def may_act(self, actor: str) -> bool:
        return self.liaisons.includes(actor)

    def _step(self, request_id: int, actor: str, status: str, detail: str | None, *mail: Mail,
              **fields: str | None) -> Outcome:
        if not self.liaisons.includes(actor):
            raise NotLiaison(actor)
        changed = self.requests.change(request_id, actor, status, detail, mail, **fields)
        if changed is not None:
            return Outcome(changed)
        current = self.requests.get(request_id)
        if current is None:
            return Outcome(None, self.copy.say("request_gone"))
        return Outcome(current, self.copy.say("request_unchanged", id=request_id, status=label(current.status)))


STATUS_LABELS = {"open": "waiting for the liaison", CLAIMED: "being worked on", NEEDS_INFO: "waiting for you",
                 CONNECTED: "connected", CLOSED: "closed"}


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _required(value: str | None, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InputError(f"please give {what}")
    return value
