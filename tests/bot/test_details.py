"""Which detail a question asks for, and whether an entry gives it."""

from __future__ import annotations

import pytest

from bot.details import Detail, asked_detail, gives_detail


@pytest.mark.parametrize(("question", "detail"), [
    ("what time does the ERAS workshop start?", Detail.TIME),
    ("whats the zoom link for the rank list panel", Detail.LINK),
    ("what's the email address for the alumni liaison", Detail.CONTACT),
    ("what room is the open house in", Detail.WHERE),
    ("whats the name of the director of career planning", Detail.WHO),
    ("how do i register for the practice interviews", Detail.APPLY),
    ("what's the deadline for the CiM survey", Detail.DATE),
    ("when is the personal statement workshop", Detail.WHEN),
    ("how many questions are on step 2 ck", Detail.NUMBER),
    ("what does ERAS cost", Detail.MONEY),
    ("what is a RASA", None),
    ("how does the alumni advisor program work", None),
])
def test_the_detail_asked_for(question, detail):
    assert asked_detail(question) is detail


def test_an_event_gives_its_time_of_year_but_not_its_time_of_day(kb):
    workshop = kb.by_id["eras-workshop"]
    assert gives_detail(Detail.WHEN, "when is the ERAS workshop", workshop)
    assert not gives_detail(Detail.TIME, "what time is the ERAS workshop", workshop)


def test_a_number_counts_only_when_the_question_did_not_say_it(kb):
    alumni = kb.by_id["alumni-advisors"]
    assert gives_detail(Detail.NUMBER, "how many alumni advisors are there", alumni)
    assert not gives_detail(Detail.NUMBER, "are there 400 alumni advisors", alumni.model_copy(
        update={"answer": "There are 400 alumni advisors."}))


def test_a_name_is_a_person_not_a_role(kb):
    assert gives_detail(Detail.WHO, "whats the name of the assistant director", kb.by_id["leader-csilla-kiss"])
    assert not gives_detail(Detail.WHO, "whats the name of my society advisor", kb.by_id["society-advisor"])


def test_a_place(kb):
    assert gives_detail(Detail.WHERE, "where is the office of student affairs", kb.by_id["leader-csilla-kiss"])
