"""Exactly once when a call's fate is unknown: Slack takes every third post and the answer is lost on the way
back (a 504 from a proxy, a dropped connection, or a reply later than the client waits). Nothing is posted
twice and nobody is left out, on SQLite and PostgreSQL: each nudge, each answer to a DM, each card, notice
and relay. The senders look a post up by its metadata before they ever post it again."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from sqlmodel import Session, col, select

from handlers.slack.alumni_blocks import INTAKE_CALLBACK
from store.alumni import AlumniRequests
from store.db import make_engine, migrated_engine
from store.models import ProcessedEvent
from support.nudge_world import make_world, many_students
from support.slack_driver import RunningBot, dm, view_submission
from support.slack_stand_in import LOSING, SlackStandIn

JUNE_1 = "2026-06-01T10:05:00-04:00"  # the CiM retake is due for the class of 2028 (PCE)
CLIENT_TIMEOUT = "1"  # seconds: the "timeout" stand-in answers after 1.5 s
LIAISON_CHANNEL, LIAISON = "C0LIAISON", "U0LIAISON"


@pytest.fixture
def slack():
    with SlackStandIn() as stand_in:
        yield stand_in


def lose_every_third(slack: SlackStandIn, how: str) -> None:
    slack.lose_answers(3, how, delay=1.5)


@pytest.mark.parametrize("how", LOSING)
def test_each_student_is_nudged_once_by_repeated_send_due_runs(monkeypatch, database_url, slack, isolated_env, how):
    students = many_students(60)
    world = make_world(monkeypatch, database_url, slack, isolated_env, students, QUIET_HOURS="off",
                       SLACK_API_TIMEOUT_SECONDS=CLIENT_TIMEOUT)
    lose_every_third(slack, how)
    for minute in range(5):
        world.run(f"2026-06-01T10:{5 + minute:02d}:00-04:00")
    sent = world.per_target()
    assert set(sent) == set(students) and set(sent.values()) == {1}, Counter(sent.values())
    assert {status for status in (row.status for row in world.ledger.orphans())} == set()
    assert len([call for call in slack.calls("chat.postMessage") if call.status == 504]) >= 20  # it did lose them


def wait_until(check, timeout: float = 60.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


def start_bot(slack, database_url, folder, **env) -> RunningBot:
    return RunningBot(slack.url, database_url, folder / "bot",
                      extra_env={"NUDGES_ENABLED": "false", "SLACK_API_TIMEOUT_SECONDS": CLIENT_TIMEOUT,
                                 "EVENT_LEASE_SECONDS": "5", **env}).start()


def unanswered(database_url: str) -> int:
    with Session(make_engine(database_url)) as db:
        return len(db.exec(select(ProcessedEvent.event_id).where(col(ProcessedEvent.payload).is_not(None))).all())


@pytest.mark.parametrize("how", LOSING)
def test_each_dm_is_answered_exactly_once(slack, database_url, isolated_env, how):
    """30 students ask at once; every third answer is lost on its way back, yet nobody hears twice or never.
    (The lease is short, 5 s, so recovery is busy meanwhile: it must not take over questions still being
    answered, nor answer again what was answered.)"""
    bot = start_bot(slack, database_url, isolated_env)
    try:
        lose_every_third(slack, how)
        students = [f"U0ASK{number:03d}" for number in range(30)]
        for user in students:
            assert bot.send_event(dm(user, "what is a RASA?")).status == 200
        assert wait_until(lambda: len(slack.delivered("chat.postMessage")) >= 30 and unanswered(database_url) == 0)
        time.sleep(7)  # past a lease: recovery would have answered again by now if it were going to
        answers = Counter(call.params["channel"] for call in slack.delivered("chat.postMessage"))
        assert answers == {f"D{user}": 1 for user in students}, answers
        assert all("Residency Application Specialty Advisor" in json.dumps(call.params)
                   for call in slack.delivered("chat.postMessage")), "an apology was sent instead of an answer"
    finally:
        bot.stop()


def test_an_apology_is_never_sent_after_the_answer_went_out(slack, database_url, isolated_env):
    """The answer is posted but every later call fails (Slack broke right after taking it): the recovery and the
    failure path must find the answer, not apologise and not answer again."""
    bot = start_bot(slack, database_url, isolated_env)
    try:
        slack.lose_answers(1, "gateway")
        slack.fail_next("conversations.history", 503, times=4)
        assert bot.send_event(dm("U0ONCE", "what is a RASA?")).status == 200
        assert wait_until(lambda: unanswered(database_url) == 0, timeout=90)
        [answer] = slack.delivered("chat.postMessage")
        assert "Residency Application Specialty Advisor" in json.dumps(answer.params)
    finally:
        bot.stop()


@pytest.mark.parametrize("how", LOSING)
def test_each_card_notice_and_relay_is_posted_once(slack, database_url, isolated_env, how):
    slack.members[LIAISON_CHANNEL] = [LIAISON, "U0ADVISOR"]
    bot = start_bot(slack, database_url, isolated_env, ALUMNI_LIAISON_CHANNEL=LIAISON_CHANNEL)
    store = AlumniRequests(migrated_engine(database_url))
    try:
        lose_every_third(slack, how)
        students = [f"U0REQ{number:03d}" for number in range(10)]
        for user in students:
            submission = view_submission(user, INTAKE_CALLBACK, {"description": f"an alum in dermatology for {user}"})
            assert bot.send_interaction(submission).status == 200
        assert wait_until(lambda: all(request.card_ts for request in store.listing()) and len(store.listing()) == 10)
        for request in store.listing():
            reply = {"type": "message", "channel": LIAISON_CHANNEL, "channel_type": "group", "user": LIAISON,
                     "text": f"Which city, #{request.id}?", "ts": f"{time.time():.6f}", "thread_ts": request.card_ts}
            assert bot.send_event(reply).status == 200
        assert wait_until(lambda: all(message.status == "sent" for request in store.listing()
                                      for message in store.mail.of_request(request.id)))
        posts = slack.delivered("chat.postMessage")
        cards = Counter(call.params["metadata"]["event_payload"]["outbox"] for call in posts
                        if call.params["channel"] == LIAISON_CHANNEL)
        to_students = Counter(call.params["metadata"]["event_payload"]["outbox"] for call in posts
                              if call.params["channel"] in students)
        assert len(cards) == 10 and set(cards.values()) == {1}, cards
        assert len(to_students) == 20 and set(to_students.values()) == {1}, to_students  # a notice and a relay each
    finally:
        bot.stop()


def test_a_lease_shorter_than_an_outage_answers_each_question_once(slack, database_url, isolated_env):
    """Slack fails for longer than a question's lease: the handlers keep their leases alive while they wait, the
    questions go back to recovery once Slack cannot take them, and recovery answers each one once when Slack is
    back (it looks first)."""
    bot = start_bot(slack, database_url, isolated_env, EVENT_LEASE_SECONDS="2")
    try:
        slack.outage(500)
        students = [f"U0OUT{number:03d}" for number in range(20)]
        for user in students:
            assert bot.send_event(dm(user, "what is a RASA?")).status == 200
        time.sleep(8)  # four leases
        slack.outage(None)
        assert wait_until(lambda: unanswered(database_url) == 0, timeout=90)
        time.sleep(3)
        answers = Counter(call.params["channel"] for call in slack.delivered("chat.postMessage"))
        assert answers == {f"D{user}": 1 for user in students}, answers
    finally:
        bot.stop()
