"""Stopping cleanly: SIGTERM in the middle of a burst of questions, or of a nudge fan-out, and then a restart.
Nobody is answered or nudged twice, nobody is left out, and the bot exits within 10 s of the signal. Slack is
played by the loopback stand-in and by this test, which redelivers every event the bot did not acknowledge
(as Slack does), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.nudge_world import make_world, many_students, send_due_process
from tests.slack_driver import RunningBot, dm, event_envelope
from tests.slack_stand_in import SlackStandIn

STOP_LIMIT = 10.0
JUNE_1 = "2026-06-01T10:05:00-04:00"  # the CiM retake is due for the class of 2028 (PCE)


@pytest.fixture
def slack():
    with SlackStandIn(latency=0.1) as stand_in:
        yield stand_in


@pytest.fixture
def slow_slack():
    """Every Web API call takes a second: answers acknowledged before the signal are still being written when the
    grace period ends, so some are handed back to recovery."""
    with SlackStandIn(latency=1.0) as stand_in:
        yield stand_in


def deliver(bot: RunningBot, envelope: dict, retry: int | None = None) -> bool:
    """One event delivery as Slack makes it; True when the bot acknowledged it (else Slack delivers it again)."""
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"} if retry else {}
    try:
        return bot.post_signed(json.dumps(envelope).encode(), "application/json", headers).status == 200
    except OSError:
        return False


def terminate(bot: RunningBot) -> float:
    """SIGTERM, and how long the bot took to exit."""
    started = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    bot.process.wait(30)
    return time.monotonic() - started


def test_sigterm_during_a_burst_of_dms_then_a_restart(slow_slack, database_url, isolated_env):
    slack = slow_slack
    env = {"NUDGES_ENABLED": "false"}
    bot = RunningBot(slack.url, database_url, isolated_env / "bot", extra_env=env).start()
    students = [f"U0BURST{number:03d}" for number in range(100)]
    envelopes = [event_envelope(dm(user, "what is a RASA?")) for user in students]
    acknowledged: dict[str, bool] = {}
    thirty_in = threading.Event()

    def send(envelope: dict) -> None:
        acknowledged[envelope["event_id"]] = deliver(bot, envelope)
        if len(acknowledged) >= 30:
            thirty_in.set()

    with ThreadPoolExecutor(max_workers=20) as pool:
        sending = [pool.submit(send, envelope) for envelope in envelopes]
        assert thirty_in.wait(30)
        stopped_in = terminate(bot)
        for future in sending:
            future.result()
    assert stopped_in < STOP_LIMIT, f"exited {stopped_in:.1f} s after SIGTERM\n{bot.log()[-3000:]}"
    assert "stopped in" in bot.log()
    redeliver = [envelope for envelope in envelopes if not acknowledged[envelope["event_id"]]]
    assert "handed back" in bot.log(), "every answer finished within the grace period; nothing was tested"

    again = RunningBot(slack.url, database_url, isolated_env / "bot", extra_env=env).start()
    try:
        for envelope in redeliver:
            deliver(again, envelope, retry=1)
        deadline = time.monotonic() + 90
        while len({call.params["channel"] for call in slack.delivered("chat.postMessage")}) < 100:
            assert time.monotonic() < deadline, "some students were never answered"
            time.sleep(0.2)
        time.sleep(3)
        answers = Counter(call.params["channel"] for call in slack.delivered("chat.postMessage"))
        assert answers == {f"D{user}": 1 for user in students}, {user: n for user, n in answers.items() if n != 1}
    finally:
        again.stop()


def test_sigterm_during_a_nudge_fan_out_then_the_next_run(monkeypatch, database_url, slack, isolated_env):
    students = many_students(300)
    world = make_world(monkeypatch, database_url, slack, isolated_env, students, QUIET_HOURS="off",
                       SLACK_POST_RATE="60", SLACK_CHANNEL_POST_RATE="60")
    first = send_due_process({}, JUNE_1, isolated_env / "first")  # its environment is the world's (monkeypatch)
    deadline = time.monotonic() + 30
    while len(world.messages()) < 60:
        assert time.monotonic() < deadline and first.poll() is None, "the fan-out did not get going"
        time.sleep(0.05)
    first.send_signal(signal.SIGTERM)
    started = time.monotonic()
    first.wait(30)
    assert time.monotonic() - started < STOP_LIMIT
    assert len(set(world.per_target())) < 300, "the fan-out finished before the signal; nothing was tested"
    second = send_due_process({}, JUNE_1, isolated_env / "second")
    assert second.wait(120) in (0, 1)
    assert world.per_target() == {user: 1 for user in students}
