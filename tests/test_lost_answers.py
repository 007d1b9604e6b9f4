"""Exactly once when a call's fate is unknown: Slack takes every third post and the answer is lost on the way
back (a 504 from a proxy, a dropped connection, or a reply later than the client waits). Nothing is posted
twice and nobody is left out, on SQLite and PostgreSQL: each nudge, each answer to a DM, each card, notice
and relay. The senders look a post up by its metadata before they ever post it again."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.nudge_world import make_world, many_students
from tests.slack_stand_in import LOSING, SlackStandIn

JUNE_1 = "2026-06-01T10:05:00-04:00"  # the CiM retake is due for the class of 2028 (PCE)
CLIENT_TIMEOUT = "1"  # seconds: the "timeout" stand-in answers after 1.5 s


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
