"""Alumni-advisor requests in Teams: the liaison's card and its actions, the student's notices and answers.

The same RequestDesk as Slack: every change is committed with its outbox mail, and TeamsCourier delivers
that mail. The card lives in TEAMS_LIAISON_CHANNEL; its request records it as card_channel "teams" and
the card's activity id, and notes, reminders and the student's answers go to the card's reply chain.
Everything a student or liaison typed is escaped before it is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alumni_desk import NotLiaison, Outcome, label
from bot.core import AdvisorCore, Student
from handlers.teams import activities as act
from handlers.teams.cards import ACTION, adaptive, escape, notice_card, submit, text
from handlers.teams.conversations import TeamsConversations
from handlers.teams.markdown import teams
from handlers.teams.sender import TeamsSender, message
from knowledge.context import InputError
from knowledge.schema import PHASE_LABELS, TRACK_LABELS
from scheduler.dispatch import DeliveryError, Posted
from scheduler.outbox_worker import Claim, request_to_deliver
from store.alumni import CLOSED, CONNECTED, AlumniRequests
from store.models import AlumniRequest, OutboxMessage
from store.outbox import (
    CARD,
    CARD_UPDATE,
    CHECK_IN,
    DIGEST,
    RELAY_TO_STUDENT,
    REMINDER,
    TO_STUDENT,
    TO_THREAD,
)
from store.request_states import STATUSES

log = logging.getLogger(__name__)

CARD_PLACE = "teams"  # alumni_request.card_channel of a card posted in Teams
CLAIM, ASK_INFO, MARK_CONNECTED, CLOSE = "alumni_claim", "alumni_ask_info", "alumni_connected", "alumni_close"
ANSWER, CHECKED_IN = "alumni_answer", "alumni_check_in"
CONTACT_LABELS = {"email": "Email exchange", "call": "Phone call", "visit": "Visit", "shadowing": "Shadowing"}


def actor(activity: dict) -> str:
    return Student(act.PLATFORM, act.user_id(activity)).recipient


class AlumniActions:
    """Card presses from the liaison and the student's answers, turned into RequestDesk calls."""

    def __init__(self, core: AdvisorCore, say: Callable[[dict, dict, str], str]):
        self.core = core
        self.say = say

    def handle(self, activity: dict, value: dict) -> bool:
        """False when the press is not about a request."""
        action, request_id = value.get(ACTION), act.number(value.get("request"))
        desk, who = self.core.requests, actor(activity)
        try:
            match action:
                case "alumni_claim":
                    outcome = desk.claim(request_id, who)
                case "alumni_ask_info":
                    outcome = desk.ask_for_info(request_id, who, str(value.get("question") or ""))
                case "alumni_connected":
                    outcome = desk.connect(request_id, who, str(value.get("alumnus") or ""), value.get("notes"))
                case "alumni_close":
                    outcome = desk.close(request_id, who, str(value.get("reason") or ""))
                case "alumni_answer":
                    self._answered(activity, request_id, str(value.get("answer") or ""))
                    return True
                case "alumni_check_in":
                    student = act.student(activity)
                    done = desk.check_in(student.platform, student.user_id, request_id, str(value.get("answer")))
                    self._tell(activity, self.core.say(student, "check_in_thanks" if done else "check_in_not_yours"))
                    return True
                case _:
                    return False
        except NotLiaison:
            self._tell(activity, desk.not_liaison)
            return True
        except InputError as error:
            self._tell(activity, self.core.say(act.student(activity), "liaison_input_invalid", error=error))
            return True
        self._outcome(activity, outcome)
        return True

    def _answered(self, activity: dict, request_id: int, answer: str) -> None:
        student = act.student(activity)
        sent = self.core.requests.student_answer(student.platform, student.user_id, request_id, answer,
                                                 activity.get("id"))
        self._tell(activity, self.core.say(student, "answer_sent" if sent else "answer_not_sent"))

    def _outcome(self, activity: dict, outcome: Outcome) -> None:
        if outcome.problem:
            self._tell(activity, outcome.problem)

    def _tell(self, activity: dict, markdown: str) -> None:
        self.say(activity, notice_card(markdown), markdown[:500])


# ---------------------------------------------------------------------- cards

def liaison_card(request: AlumniRequest, status_line: str) -> dict:
    """The request as the liaison sees it; its msteams.entities make "the student" a live @mention."""
    facts = [("Class and phase", " · ".join(part for part in (
                 f"Class of {request.class_of}" if request.class_of else "Class not set",
                 TRACK_LABELS.get(request.track or "", ""), PHASE_LABELS.get(request.phase or "", "")) if part)),
             ("Specialty", request.specialty or "not given"), ("Location", request.location or "any"),
             ("Kind of contact", CONTACT_LABELS.get(request.contact or "", "any"))]
    body = [text(f"**Alumni-advisor request #{request.id}**", size="Medium"),
            text("From <at>the student</at>"),
            {"type": "FactSet", "facts": [{"title": title, "value": escape(value)} for title, value in facts]},
            text(escape(request.description)), text(status_line, isSubtle=True)]
    card = adaptive(body, [] if request.status in (CONNECTED, CLOSED) else _liaison_actions(request.id))
    card["msteams"]["entities"] = [{"type": "mention", "text": "<at>the student</at>",
                                    "mentioned": {"id": request.student_id, "name": "the student"}}]
    return card


def _liaison_actions(request_id: int) -> list[dict]:
    def form(title: str, action: str, *inputs: dict) -> dict:
        return {"type": "Action.ShowCard", "title": title,
                "card": adaptive(list(inputs), [submit("Send", action, request=request_id)])}

    def field(name: str, label_text: str, required: bool = True, multiline: bool = False) -> dict:
        return {"type": "Input.Text", "id": name, "label": label_text, "isRequired": required,
                "isMultiline": multiline, "maxLength": 500, "errorMessage": f"{label_text} is needed"}

    return [submit("Claim", CLAIM, style="positive", request=request_id),
            form("Ask for more info", ASK_INFO, field("question", "Your question for the student", multiline=True)),
            form("Mark connected", MARK_CONNECTED, field("alumnus", "The alum's name"),
                 field("notes", "Notes for the student (optional)", required=False, multiline=True)),
            form("Close", CLOSE, field("reason", "Reason (the student sees it)"))]


def student_card(request: AlumniRequest, kind: str, words: str | None) -> dict:
    if kind == CHECK_IN:
        who = escape(request.alumnus or "an alum")
        return adaptive([text(f"**Checking in on request #{request.id}.** The Alumni Liaison put you in touch "
                              f"with {who}. Did you connect, and was it helpful?")],
                        [submit(title, CHECKED_IN, request=request.id, answer=answer) for answer, title in (
                            ("helpful", "Yes, and it helped"), ("not_helpful", "Yes, not much help"),
                            ("not_yet", "Not yet"))])
    if kind == RELAY_TO_STUDENT:
        return adaptive([text(f"**The Alumni Liaison, about your request #{request.id}:**"),
                         text(escape(words or "")),
                         {"type": "Input.Text", "id": "answer", "label": "Your answer", "isMultiline": True,
                          "isRequired": True, "maxLength": 2000, "errorMessage": "Write your answer"}],
                        [submit("Send to the liaison", ANSWER, style="positive", request=request.id)])
    return adaptive([text(f"**Your alumni-advisor request #{request.id}**"), text(teams(words or ""))])


# -------------------------------------------------------------------- courier

class TeamsCourier:
    """The outbox's way into Teams. Teams keeps no history a bot can search, so `find` cannot tell whether
    a sender that died mid-call got its post through: such a message is sent again (at least once)."""

    def __init__(self, sender: TeamsSender, requests: AlumniRequests, conversations: TeamsConversations,
                 liaison_channel: str, service_url: str, timezone: str):
        self.sender = sender
        self.requests = requests
        self.conversations = conversations
        self.liaison_channel = liaison_channel
        self.default_service_url = service_url
        self.zone = ZoneInfo(timezone)

    def deliver(self, message_row: OutboxMessage, claim: Claim) -> Posted | None:
        request = request_to_deliver(message_row, self.requests, self.liaison_channel, "TEAMS_LIAISON_CHANNEL")
        if message_row.kind in TO_STUDENT:
            return self._to_student(message_row, claim, request)
        service_url = self.conversations.service_url(self.liaison_channel, self.default_service_url)
        if message_row.kind in (CARD, CARD_UPDATE):
            card = message(f"Alumni-advisor request #{request.id}", liaison_card(request, self._status(request)))
            claim()
            if message_row.kind == CARD_UPDATE:
                self.sender.update(self.liaison_channel, request.card_ts, service_url, card)
                return None
            return Posted(conversation=CARD_PLACE, ts=self.sender.post(self.liaison_channel, service_url, card))
        conversation = self.liaison_channel if message_row.kind == DIGEST \
            else f"{self.liaison_channel};messageid={request.card_ts}"
        heading = {DIGEST: "**Open alumni-advisor requests**", REMINDER: "**Waiting to be claimed:**",
                   TO_THREAD: "**The student replied:**"}.get(message_row.kind, "")
        words = message_row.text or ""
        body = f"{heading}\n\n{escape(words)}".strip()  # reminders and digests name the student's specialty
        claim()
        return Posted(conversation, self.sender.post(conversation, service_url,
                                                     message(body[:500], notice_card(body))))

    def find(self, message_row: OutboxMessage, since: datetime) -> Posted | None:
        return None

    def _to_student(self, message_row: OutboxMessage, claim: Claim, request: AlumniRequest) -> Posted:
        chat = self.conversations.personal_chat(request.student_id)
        if chat is None:
            raise DeliveryError("the student has no personal chat with the bot in Teams", permanent=True)
        card = student_card(request, message_row.kind, message_row.text)
        claim()
        activity_id = self.sender.post(chat.conversation_id, chat.service_url,
                                       message(f"About your alumni-advisor request #{request.id}", card))
        return Posted(chat.conversation_id, activity_id)

    def _status(self, request: AlumniRequest) -> str:
        steps = [change for change in self.requests.history(request.id) if change.action in STATUSES]
        if not steps:
            return "Open: waiting to be claimed"
        when = steps[-1].at.astimezone(self.zone).strftime("%-d %b %H:%M")
        return f"{label(request.status).capitalize()} (since {when})"
