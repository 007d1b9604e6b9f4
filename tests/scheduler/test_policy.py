"""The policy alone: quiet hours that wrap midnight and cross DST, the weekly cap, and what is dropped and why."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from scheduler.policy import Policy, QuietHours, Standing
from store.models import NudgeDelivery

NIGHT = QuietHours(time(21), time(8))
STUDENT = Standing(phase="pce", timezone="America/Los_Angeles", opted_out=frozenset(), done=frozenset())


def row(due: datetime, personal: bool = True, grace_hours: int = 72) -> NudgeDelivery:
    return NudgeDelivery(id=1, nudge="task-cim-survey-retake", occurrence="2026-06", target="U1", personal=personal,
                         category="tasks", phase="pce", text="x", due_at=due,
                         expires_at=due + timedelta(hours=grace_hours), status="pending")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_quiet_hours_parse_and_wrap_midnight():
    assert QuietHours.parse("21:00-08:00") == NIGHT and QuietHours.parse("off") is None
    assert NIGHT.contains(time(23, 30)) and NIGHT.contains(time(7, 59)) and not NIGHT.contains(time(8))
    with pytest.raises(ValueError):
        QuietHours.parse("late")


@pytest.mark.parametrize(("now", "wait_until"), [
    ("2026-06-01T10:00:00-04:00", "2026-06-01T08:00:00-07:00"),  # 07:00 in Los Angeles
    ("2026-06-02T01:00:00-04:00", "2026-06-02T08:00:00-07:00"),  # 22:00 the evening before there
    ("2026-03-08T09:30:00+00:00", "2026-03-08T08:00:00-07:00"),  # DST began at 02:00: 08:00 is UTC-7 now
    ("2026-11-01T14:30:00+00:00", "2026-11-01T08:00:00-08:00"),  # DST ended overnight: 08:00 is UTC-8
])
def test_a_personal_nudge_waits_for_the_end_of_the_students_night(now, wait_until):
    policy = Policy(NIGHT, weekly_cap=0, institution_timezone="America/New_York")
    decision = policy.decide(row(utc(now)), utc(now), STUDENT, [])
    assert not decision.send and decision.wait_until == utc(wait_until)


def test_without_a_known_time_zone_the_institutions_is_used():
    policy = Policy(NIGHT, weekly_cap=0, institution_timezone="America/New_York")
    unknown = Standing(phase="pce", timezone=None, opted_out=frozenset(), done=frozenset())
    now = utc("2026-06-01T10:00:00-04:00")
    assert policy.decide(row(now), now, unknown, []).send


def test_the_weekly_cap_waits_for_the_oldest_send_to_age_out():
    policy = Policy(None, weekly_cap=2, institution_timezone="America/New_York")
    now = utc("2026-06-10T10:00:00-04:00")
    sends = [now - timedelta(days=6), now - timedelta(days=1)]
    decision = policy.decide(row(now), now, STUDENT, sends)
    assert decision.wait_until == now + timedelta(days=1)
    assert policy.decide(row(now, grace_hours=12), now, STUDENT, sends).skip_reason.startswith("weekly cap")
    assert policy.decide(row(now), now, STUDENT, sends[1:]).send


def test_announcements_ignore_the_students_settings_but_not_the_institutions_night():
    policy = Policy(NIGHT, weekly_cap=1, institution_timezone="America/New_York")
    morning, night = utc("2026-06-01T10:00:00-04:00"), utc("2026-06-01T22:00:00-04:00")
    assert policy.decide(row(morning, personal=False), morning, None, [morning] * 5).send
    assert policy.decide(row(night, personal=False), night, None, []).wait_until == utc("2026-06-02T08:00:00-04:00")


@pytest.mark.parametrize(("recipient", "reason"), [
    (None, "not on the roster any more"),
    (Standing("preclerkship", None, frozenset(), frozenset()), "not in the pce phase any more"),
    (Standing("pce", None, frozenset({"tasks"}), frozenset()), "opted out: the student turned off tasks"),
    (Standing("pce", None, frozenset(), frozenset({("task-cim-survey-retake", "2026-06")})),
     "done: the student marked the task done"),
])
def test_what_is_dropped_and_why(recipient, reason):
    now = utc("2026-06-01T10:00:00-04:00")
    assert Policy(None, 0, "America/New_York").decide(row(now), now, recipient, []).skip_reason == reason


def test_stale_nudges_are_dropped():
    now = utc("2026-06-01T10:00:00-04:00")
    assert Policy(None, 0, "UTC").decide(row(now - timedelta(days=4)), now, STUDENT, []).skip_reason.startswith(
        "stale")
