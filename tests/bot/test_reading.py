"""Reading chat language: fillers, slang, sentences, and what a message says about the student."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reading import Reader
from knowledge.academic_calendar import load_academic_calendar

DECEMBER = date(2026, 12, 1)


@pytest.fixture(scope="module")
def reader(kb):
    return Reader(kb.chat, load_academic_calendar())


def test_fillers_dropped_and_slang_spelled_out(reader):
    assert reader.plain("ugh ok idk if this is a dumb question but whats the deal w RASAs tbh") == \
        "if this is a but whats the deal with rasas"
    assert reader.plain("can u tell me abt mtgs w/ ppl rn") == "can you tell me about meetings with people right now"


def test_slang_inside_a_word_is_left_alone(reader):
    assert reader.plain("urology rounds") == "urology rounds"


def test_the_asking_sentence_is_found_among_context(reader):
    message = "ok so im on my surgery rotation rn and kinda panicking. who do i talk to about specialties??"
    reading = reader.read(message, DECEMBER)
    assert reading.question == "who do i talk to about specialties??"
    assert reading.has_context


def test_one_sentence_is_its_own_question(reader):
    reading = reader.read("when is match day", DECEMBER)
    assert reading.question == reading.text == "when is match day"
    assert not reading.has_context


@pytest.mark.parametrize(("message", "phase"), [
    ("im on my clerkships rn. when do i get a RASA?", "pce"),
    ("done with pce and lost. who helps with ERAS?", "post-pce"),
    ("i'm a first year, what's CiM?", "preclerkship"),
    ("as an MS3 how often do i meet my advisor", "pce"),
    ("ms4 here, when is match day", "post-pce"),
])
def test_the_student_is_placed_by_what_they_say_through_the_academic_calendar(reader, message, phase):
    reading = reader.read(message, DECEMBER)
    assert reading.own_phase == phase
    assert reading.said


def test_a_year_the_question_is_about_does_not_place_the_student(reader):
    reading = reader.read("what do first years do for the CiM survey", DECEMBER)
    assert reading.own_phase is None
    assert reading.named_year == 1 and reading.year_phase == "preclerkship"


def test_the_phase_and_track_a_question_names(reader):
    reading = reader.read("and for HST?", DECEMBER)
    assert reading.named_track == "hst"
    reading = reader.read("i'm in pce, what happens in post-pce?", DECEMBER)
    assert reading.own_phase == "pce" and reading.named_phase == "post-pce"
    assert reader.read("pathways vs hst advising?", DECEMBER).named_track is None


@pytest.mark.parametrize(("message", "kind"), [
    ("does stanford have a program like this", "other_school"),
    ("can I rent a room through RotatingRoom during my sub-i", "commercial"),
    ("whats the right dose of vanc for my patient", "clinical"),
    ("when is the personal statement workshop", None),
])
def test_questions_outside_the_programme(reader, message, kind):
    assert reader.out_of_scope(message) == kind
