"""The conversation logic: small talk, grounded answers, phase awareness, calendar and honest declines."""

from __future__ import annotations

from datetime import date

import pytest

from bot.replies import ReplyKind
from knowledge.context import StudentContext


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
    assert reply.kind is ReplyKind.NOT_GIVEN and not reply.answered
    assert kb.smalltalk.details["money"] in reply.text


def test_a_number_the_answer_gives_is_answered(advisor):
    reply = advisor.reply("how many alumni advisors are there")
    assert reply.kind is ReplyKind.ANSWER and "400" in reply.body


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


def test_calendar_lines_say_graduation_year_only_for_post_pce(advisor):
    preclerkship = advisor.reply("what's on in august?", StudentContext(phase="preclerkship", track="pathways"))
    assert "Professional Development Week" in preclerkship.body or "PDW" in preclerkship.body
    assert "graduation year" not in preclerkship.body
    post_pce = advisor.reply("anything in march?", StudentContext(phase="post-pce"))
    assert "March of graduation year" in post_pce.body


def test_the_open_house_is_not_shown_to_second_years_in_the_fall(advisor):
    first_years = advisor.reply("whats on in october", StudentContext(phase="preclerkship", year_of_phase=1))
    second_years = advisor.reply("whats on in october", StudentContext(phase="preclerkship", year_of_phase=2))
    assert "Open House" in first_years.body and "Open House" not in second_years.body


@pytest.mark.parametrize(("question", "context", "expected"), [
    ("what happens at the open house for post-pce students?", StudentContext(), "open-house-post-pce"),
    ("what happens at the preclerkship open house?", StudentContext(), "open-house-preclerkship"),
    ("how often do HST students meet their advisor?", StudentContext(track="pathways"), "society-advisor-cadence-hst"),
    ("how often do i meet my advisor?", StudentContext(track="hst"), "society-advisor-cadence-hst"),
    ("how often do i meet my advisor?", StudentContext(track="pathways"), "society-advisor-cadence-pathways"),
])
def test_a_named_phase_or_track_or_the_students_track_decides_between_siblings(advisor, question, context,
                                                                                expected):
    assert advisor.reply(question, context, record=False).entry == expected


def test_a_student_placed_by_their_own_words_is_told_which_phase_was_assumed(advisor):
    reply = advisor.reply("im on my clerkships rn. what should i be doing?", StudentContext(), record=False)
    assert reply.kind is ReplyKind.CHECKLIST and "PCE checklist" in reply.body
    assert 'assumed you\'re in PCE, since you said "im on my clerkships"' in reply.body
    profiled = advisor.reply("im on my clerkships rn. what should i be doing?", StudentContext(phase="post-pce"),
                             record=False)
    assert "Post-PCE checklist" in profiled.body and "assumed" not in profiled.body, "a profile is not overridden"


@pytest.mark.parametrize("question", ["what should I be doing right now?", "whats next for me", "am i behind?",
                                      "to do list pls", "what should i prioritize this month",
                                      "anything i need to get done this month"])
def test_checklist_questions(advisor, question):
    assert advisor.reply(question, StudentContext(phase="pce"), record=False).kind is ReplyKind.CHECKLIST


@pytest.mark.parametrize("question", ["what should i do about my personal statement?",
                                      "can i take an extra year to do another degree?",
                                      "when is the residency application timeline checklist session?"])
def test_questions_about_one_thing_are_not_checklists(advisor, question):
    assert advisor.reply(question, StudentContext(phase="pce"), record=False).kind is not ReplyKind.CHECKLIST


def test_the_checklist_lists_the_phases_tasks_and_whats_coming(advisor):
    reply = advisor.checklist(StudentContext(phase="post-pce", today=date(2027, 1, 5)),
                              done=frozenset({"task-choose-rasa"}))
    assert "✓ **January**: Residency Application Specialty Advisor (RASA) (done)" in reply.body
    assert "Coming up (January–February)" in reply.body and "Road to Residency" in reply.body


@pytest.mark.parametrize(("question", "kind", "words"), [
    ("what time does the ERAS workshop start?", ReplyKind.NOT_GIVEN, "a time of day"),
    ("what's the email address of the alumni liaison?", ReplyKind.NOT_GIVEN, "an email address"),
    ("whats the zoom link for the rank list series", ReplyKind.NOT_GIVEN, "a link"),
    ("when is the ERAS workshop?", ReplyKind.ANSWER, "June"),
    ("who runs the ERAS workshop?", ReplyKind.ANSWER, "ERAS"),
])
def test_a_detail_the_pages_do_not_give_is_said_plainly_with_what_they_do_say(advisor, kb, question, kind, words):
    reply = advisor.reply(question, record=False)
    assert reply.kind is kind and words in reply.text
    if kind is ReplyKind.NOT_GIVEN:
        assert not reply.answered and reply.nearest is not None
        assert kb.smalltalk.ask_default in reply.text and "What they do say:" in reply.text


def test_follow_ups_use_the_topic_only_when_the_message_names_nothing_new(advisor):
    asked = []

    def topic():
        asked.append("looked")
        return "eras-workshop"

    assert advisor.reply("and for HST?", record=False, recent_topic=topic).entry == "eras-workshop", \
        "the ERAS workshop is for both tracks: its own answer, not the HST advising cadence"
    assert advisor.reply("and for HST?", record=False,
                         recent_topic=lambda: "society-advisor-cadence-pathways").entry == "society-advisor-cadence-hst"
    assert advisor.reply("what about post-pce?", record=False,
                         recent_topic=lambda: "society-advisor").entry == "society-advisor-post-pce"
    assert advisor.reply("what time does it start?", record=False, recent_topic=topic).nearest.id == "eras-workshop"
    asked.clear()
    assert advisor.reply("what is a RASA?", record=False, recent_topic=topic).entry == "rasa"
    assert asked == [], "a question with a subject of its own does not look the topic up"


@pytest.mark.parametrize(("question", "definition"), [("what does MSPE stand for", True), ("whats a rasa?", True),
                                                      ("RASA meaning", True), ("when do i get a rasa", False)])
def test_what_the_glossary_answers(question, definition):
    from bot.conversation import asks_for_definition

    assert asks_for_definition(question) is definition
