"""What the regression gate and the benchmarks share: the question sets and the advisor as a system under test."""

from __future__ import annotations

from bot.conversation import Advisor
from knowledge.context import StudentContext
from knowledge.evaluation import Case, Outcome
from support import QUESTIONS_DIR

DEV_QUESTIONS = QUESTIONS_DIR / "dev_questions.yaml"
DEV_CHAT_QUESTIONS = QUESTIONS_DIR / "dev_chat_questions.yaml"  # chat style, with near misses (issue 14)
HELDOUT_QUESTIONS = QUESTIONS_DIR / "heldout_questions.yaml"  # the first blind set: never tuned on
BLIND_QUESTIONS = QUESTIONS_DIR / "blind_questions.yaml"  # the blind chat-style set: the figure that counts


def advisor_system(advisor: Advisor):
    """The advisor as the evaluation harness sees it: the entry it answered from (None if it declined)."""

    def system(case: Case) -> Outcome:
        reply = advisor.reply(case.question, StudentContext(phase=case.phase, track=case.track, today=case.today))
        entry = (reply.entry or reply.kind.value) if reply.answered else None
        return Outcome(entry=entry, text=reply.text, score=reply.score)

    return system
