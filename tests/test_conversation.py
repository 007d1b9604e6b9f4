"""The conversation logic: small talk, grounded answers, phase awareness, calendar and honest declines."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation import Advisor
from bot.profile import StudentContext
from bot.replies import ReplyKind


@pytest.mark.parametrize(("message", "copy"), [
    ("hi", "greeting"), ("Hello there!", "greeting"), ("good morning", "greeting"),
    ("thanks!", "thanks"), ("thank you so much", "thanks"), ("ty", "thanks"),
    ("help", "help"), ("what can you do?", "help"), ("?", "help"),
])
def test_small_talk_gets_a_friendly_reply(advisor, kb, message, copy):
    reply = advisor.reply(message)
    assert reply.kind is ReplyKind.SMALL_TALK and reply.answered
    assert reply.body == getattr(kb.smalltalk, copy).strip()


def test_a_greeting_before_a_question_does_not_hide_it(advisor):
    assert advisor.reply("hey! when is match day").entry == "match-day"


def test_answers_name_their_entry_and_source(advisor, kb):
    reply = advisor.reply("who picks my RASA and when?")
    assert reply.kind is ReplyKind.ANSWER and reply.entry == "rasa"
    assert reply.text.startswith(kb.by_id["rasa"].answer)
    assert "Source: " + kb.by_id["rasa"].title in reply.text
    assert all(link.id in kb.by_id for link in reply.related)


def test_typos_and_abbreviations_are_understood(advisor):
    assert advisor.reply("wen is the perssonal statment workshp").entry == "ps-lor-cv-workshop"
    assert advisor.reply("what does MSPE stand for").entry.startswith("glossary-mspe")


def test_the_students_track_picks_the_right_answer(advisor):
    question = "how many times a year do i have to meet my society advisor"
    hst = advisor.reply(question, StudentContext(track="hst"))
    pathways = advisor.reply(question, StudentContext(track="pathways"))
    assert hst.entry == "society-advisor-cadence-hst"
    assert pathways.entry == "society-advisor-cadence-pathways"


def test_out_of_scope_is_declined_with_suggestions_and_a_person(advisor, kb):
    reply = advisor.reply("what's the weather in boston tomorrow")
    assert reply.kind is ReplyKind.DECLINE and not reply.answered and reply.entry is None
    assert "Office of Student Affairs" in reply.text


def test_requests_to_act_are_declined_with_the_reason_and_useful_pointers(advisor, kb):
    reply = advisor.reply("can you write my personal statement for me")
    assert reply.kind is ReplyKind.DECLINE
    assert reply.body.startswith(kb.smalltalk.cannot_act.strip())
    assert "ps-lor-cv-workshop" in [link.id for link in reply.suggestions]


def test_figures_the_pages_do_not_give_are_not_guessed(advisor, kb):
    reply = advisor.reply("how much does it cost to apply through ERAS")
    assert reply.kind is ReplyKind.DECLINE
    assert kb.smalltalk.no_figures.strip() in reply.text


def test_a_number_the_answer_gives_is_answered(advisor):
    reply = advisor.reply("how many alumni advisors are there")
    assert reply.entry == "alumni-advisors" and "400" in reply.text


class Recorder:
    def __init__(self):
        self.records = []

    def record(self, text, phase, track):
        self.records.append((text, phase, track))


def test_declined_questions_are_recorded_for_curators(kb, engine):
    recorder = Recorder()
    advisor = Advisor(kb, engine=engine, declined=recorder)
    advisor.reply("is the gym open on sundays", StudentContext(phase="pce"))
    advisor.reply("when is match day", StudentContext(phase="pce"))
    assert recorder.records == [("is the gym open on sundays", "pce", None)]


POST_PCE_MAY = StudentContext(phase="post-pce", today=date(2027, 5, 10))


def test_whats_coming_up_lists_this_and_the_next_two_months(advisor):
    reply = advisor.reply("what's coming up for me?", POST_PCE_MAY)
    assert reply.kind is ReplyKind.CALENDAR and reply.entry == "calendar"
    body = reply.body
    assert "Personal Statements" in body and "ERAS" in body
    assert body.index("Personal Statements") < body.index("ERAS")
    assert "Match Day" not in body


def test_this_month_and_named_months(advisor):
    june = advisor.reply("anything this month?", StudentContext(phase="pce", today=date(2026, 6, 2)))
    assert "Careers in Medicine" in june.body
    september = advisor.reply("what's on in september", POST_PCE_MAY)
    assert "Interview" in september.body


def test_calendar_without_a_phase_covers_every_phase_and_asks_for_it(advisor, kb):
    reply = advisor.reply("what's happening this month", StudentContext(today=date(2027, 6, 1)))
    for label in ("Preclerkship", "PCE", "Post-PCE"):
        assert label in reply.body
    assert kb.smalltalk.calendar_needs_phase.strip() in reply.body


def test_a_quiet_month_points_to_the_next_event(advisor):
    reply = advisor.reply("anything in december?", StudentContext(phase="post-pce", track="pathways",
                                                                  today=date(2027, 11, 1)))
    assert "Nothing on the programme calendar" in reply.body and "Next up:" in reply.body


def test_phase_named_in_the_question_wins_over_the_profile(advisor):
    reply = advisor.reply("what's coming up for post-pce students", StudentContext(phase="pce",
                                                                                  today=date(2027, 5, 10)))
    assert "Post-PCE" in reply.body and "ERAS" in reply.body


def test_only_a_new_figure_meets_a_question_asking_for_one():
    from bot.intents import Figure, asked_figure, gives_figure

    question = "how many questions are on step 2 ck"
    assert asked_figure(question) is Figure.NUMBER
    assert not gives_figure(Figure.NUMBER, question, "Road to Residency (Part I) covers Step 2 CK timing.")
    assert gives_figure(Figure.NUMBER, question, "It has eight blocks.")
    assert asked_figure("what does ERAS cost") is Figure.MONEY
    assert not gives_figure(Figure.MONEY, "what does ERAS cost", "ERAS opens in June.")
    assert asked_figure("when is match day") is None


@pytest.mark.parametrize("phase", ["any", "preclerkship", "pce", "post-pce"])
def test_every_quick_question_offered_to_students_is_answered(advisor, kb, phase):
    for question in kb.smalltalk.quick_questions.get(phase, ()):
        reply = advisor.reply(question, StudentContext(phase=None if phase == "any" else phase), record=False)
        assert reply.answered, f"quick question {question!r} ({phase}) is declined"


def test_phase_matters_for_calendar_questions_but_not_for_glossary_ones(advisor):
    for question, matters in [("what's coming up for me?", True), ("what does ERAS stand for?", False),
                              ("hello", False)]:
        reply = advisor.reply(question, StudentContext(), record=False)
        assert advisor.phase_matters(question, StudentContext(), reply) is matters


def test_a_question_it_cannot_place_is_tried_against_the_nudge_just_sent(advisor):
    asked = []

    def topic(entry_id: str):
        return lambda: asked.append(entry_id) or entry_id

    assert advisor.reply("when is it?", record=False, recent_topic=topic("cim-survey-retake")).entry == \
        "cim-survey-retake"
    assert advisor.reply("what's the weather like?", record=False,
                         recent_topic=topic("cim-survey-retake")).kind is ReplyKind.DECLINE
    assert advisor.reply("can you write my personal statement for me?", record=False,
                         recent_topic=topic("ps-lor-cv-workshop")).kind is ReplyKind.DECLINE
    assert advisor.reply("when is match day", recent_topic=topic("rasa")).entry == "match-day"
    assert asked == ["cim-survey-retake", "cim-survey-retake"], "looked up only for questions it could not place"
