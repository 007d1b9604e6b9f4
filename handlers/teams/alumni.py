"""Alumni-advisor requests in Teams, inbound: the liaison's presses on a card, the student's answers.

The same RequestDesk as Slack: every change is committed with its outbox mail, which
handlers/teams/outbox_courier.py delivers; the cards themselves are in handlers/teams/alumni_cards.py.
Everything a student or liaison typed is escaped before it is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.alumni_desk import NotLiaison, Outcome
from bot.core import AdvisorCore, Student
from handlers.teams import activities as act
from handlers.teams.cards import ACTION, notice_card
from knowledge.context import InputError


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
