"""Whatever a student sends, the advisor replies clearly and never crashes or echoes markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.replies import ReplyKind
from knowledge.context import StudentContext
from knowledge.text import MAX_QUESTION_CHARS, clean


@pytest.mark.parametrize("message", ["", "   ", "\n\t  \n", "\u200b\u200b", "\x00\x01\x02"])
def test_empty_messages_get_a_clear_prompt(advisor, message):
    reply = advisor.reply(message)
    assert reply.kind is ReplyKind.EMPTY and not reply.answered
    assert "empty" in reply.text and reply.entry is None


def test_fifty_kilobytes_is_read_from_its_start_and_never_echoed(advisor):
    assert len(clean("x" * 50_000)) == MAX_QUESTION_CHARS
    reply = advisor.reply("when is match day " * 3_000)  # about 54 KB
    assert reply.entry == "match-day"
    declined = advisor.reply("zzqx " * 12_000)
    assert declined.kind is ReplyKind.DECLINE and len(declined.text) < 1_000


@pytest.mark.parametrize("message", ["🎉🎉🎉", "🤔❓", "متى يوم المطابقة؟", "מתי יום ההתאמה", "\u202esdrawkcab\u202c",
                                     "ＲＡＳＡ？"])
def test_emoji_and_other_scripts_never_crash(advisor, message):
    reply = advisor.reply(message)
    assert reply.text and 0.0 <= reply.score <= 1.0


def test_control_characters_are_ignored(advisor):
    reply = advisor.reply("\x07when\x1b is \x00match day\x7f?")
    assert reply.entry == "match-day"


def test_declines_never_repeat_the_students_words(advisor):
    reply = advisor.reply("<!everyone> please ping <@U999> about the parking lot")
    assert not reply.answered
    assert "<!everyone>" not in reply.text and "<@U999>" not in reply.text and "parking" not in reply.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.text(max_size=400), phase=st.sampled_from([None, "preclerkship", "pce", "post-pce"]),
       track=st.sampled_from([None, "pathways", "hst"]))
def test_any_text_gets_a_well_formed_reply(advisor, kb, message, phase, track):
    reply = advisor.reply(message, StudentContext(phase=phase, track=track))
    assert reply.text.strip()
    assert 0.0 <= reply.score <= 1.0
    if reply.kind is ReplyKind.ANSWER:
        assert reply.entry in kb.by_id and kb.by_id[reply.entry].answer in reply.text
        assert reply.source and reply.source in reply.text
    elif reply.kind is ReplyKind.DECLINE:
        assert reply.entry is None and len(reply.suggestions) <= 3
    assert "<!" not in reply.text and "<@" not in reply.text
    assert reply.as_json()["answered"] == reply.answered


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(["rasa", "eras", "match", "cim", "alumni", "advisor", "when", "who", "is",
                                       "the", "my", "pce", "workshop", "step", "2", "ck", "xyzzy", "!!"]),
                      max_size=12))
def test_engine_confidence_is_a_probability_and_ranked(engine, words):
    result = engine.search(" ".join(words))
    assert all(0.0 <= c.confidence <= 1.0 for c in result.candidates)
    relevances = [c.relevance for c in result.candidates]
    assert relevances == sorted(relevances, reverse=True)
    assert len({c.entry.id for c in result.candidates}) == len(result.candidates)
