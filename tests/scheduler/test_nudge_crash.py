"""Crashes and replicas: a sender killed mid fan-out, then rerun, and two senders at once, reach everyone once.

`advisor nudges send-due` runs as real processes against the loopback stand-in, which enforces Slack's
rate limits (50 messages/s across the workspace, 1/s per channel) with 20 ms latency.
"""

from __future__ import annotations

from collections import Counter

from support.nudge_world import many_students, nudge_env, roster, send_due_process
from support.slack_stand_in import SlackStandIn

JUNE_1 = "2026-06-01T10:05:00-04:00"  # the CiM retake task is due to every PCE student
STUDENTS = many_students(150)


def _env(database_url, slack, folder):
    return {**nudge_env(database_url, slack.url, folder, {}), "QUIET_HOURS": "off", "SLACK_POST_RATE": "50",
            "SLACK_CHANNEL_POST_RATE": "1"}


def _dms(slack) -> Counter:
    return Counter(call.params["channel"] for call in slack.delivered("chat.postMessage"))


def test_killed_mid_fan_out_then_rerun_reaches_every_student_exactly_once(database_url, tmp_path):
    with SlackStandIn(latency=0.02, workspace_rate=50, channel_rate=1) as slack:
        env = _env(database_url, slack, tmp_path)
        roster(database_url, STUDENTS)
        sender = send_due_process(env, JUNE_1, tmp_path)
        slack.wait_for("chat.postMessage", count=40, timeout=60)
        sender.kill()
        sender.wait()
        assert 40 <= len(_dms(slack)) < len(STUDENTS), "the kill landed mid fan-out"
        rerun = send_due_process(env, JUNE_1, tmp_path)
        assert rerun.wait(120) == 0
        counts = _dms(slack)
        assert set(counts) == set(STUDENTS) and set(counts.values()) == {1}


def test_two_senders_on_one_database_send_each_nudge_once(database_url, tmp_path):
    with SlackStandIn(latency=0.02, workspace_rate=50, channel_rate=1) as slack:
        env = _env(database_url, slack, tmp_path)
        roster(database_url, STUDENTS)
        first, second = send_due_process(env, JUNE_1, tmp_path), send_due_process(env, JUNE_1, tmp_path)
        codes = sorted([first.wait(120), second.wait(120)])
        assert codes in ([0, 0], [0, 1]), codes  # 1: the other one held the sender lock
        counts = _dms(slack)
        assert set(counts) == set(STUDENTS) and set(counts.values()) == {1}
