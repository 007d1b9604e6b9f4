"""Stopping cleanly: SIGTERM in the middle of a burst of questions, or of a nudge fan-out, and then a restart.
Nobody is answered or nudged twice, nobody is left out, and the bot exits within 10 s of the signal. Slack is
played by the loopback stand-in and by this test, which redelivers every event the bot did not acknowledge
(as Slack does), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.nudge_world import make_world, many_students, send_due_process
from support.slack_driver import RunningBot, SocketModeBot, dm, event_envelope
from support.slack_socket_stand_in import SocketModeStandIn
from support.slack_stand_in import SlackStandIn
from support.teams_driver import TeamsBot, person, personal
from support.teams_stand_in import TeamsConnector

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
    """100 questions are acknowledged (answering them takes over ten seconds), then SIGTERM; 20 more arrive while
    the bot stops. After the restart, and Slack's redelivery of what was not acknowledged, each student has
    exactly one answer."""
    slack = slow_slack
    env = {"NUDGES_ENABLED": "false"}
    bot = RunningBot(slack.url, database_url, isolated_env / "bot", extra_env=env).start()
    students = [f"U0BURST{number:03d}" for number in range(120)]
    envelopes = [event_envelope(dm(user, "what is a RASA?")) for user in students]
    with ThreadPoolExecutor(max_workers=20) as pool:
        acknowledged = dict(zip([envelope["event_id"] for envelope in envelopes[:100]],
                                pool.map(lambda envelope: deliver(bot, envelope), envelopes[:100]), strict=True))
        assert all(acknowledged.values())
        bot.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        late = envelopes[100:]
        acknowledged |= dict(zip([envelope["event_id"] for envelope in late],
                                 pool.map(lambda envelope: deliver(bot, envelope), late), strict=True))
        bot.process.wait(30)
    stopped_in = time.monotonic() - started
    assert stopped_in < STOP_LIMIT, f"exited {stopped_in:.1f} s after SIGTERM\n{bot.log()[-3000:]}"
    assert "handed back" in bot.log(), "every answer finished within the grace period; nothing was tested"
    redeliver = [envelope for envelope in envelopes if not acknowledged[envelope["event_id"]]]

    again = RunningBot(slack.url, database_url, isolated_env / "bot", extra_env=env).start()
    try:
        for envelope in redeliver:
            deliver(again, envelope, retry=1)
        wait_for_everyone(slack, students)
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


def test_sigterm_in_socket_mode_during_a_burst_then_a_restart(slow_slack, database_url, isolated_env):
    """The same in Socket Mode: envelopes acknowledged before the signal are answered (or handed back and answered
    after the restart); those the bot did not acknowledge are redelivered on the new connection, as Slack does."""
    slack = slow_slack
    with SocketModeStandIn() as socket:
        slack.socket_mode_url = socket.url
        make = lambda: SocketModeBot(slack.url, database_url, isolated_env / "bot",  # noqa: E731
                                     extra_env={"NUDGES_ENABLED": "false"}, socket=socket).start()
        bot = make()
        students = [f"U0SOCK{number:03d}" for number in range(120)]
        envelopes = [event_envelope(dm(user, "what is a RASA?")) for user in students]
        delivered = [socket.deliver("events_api", envelope) for envelope in envelopes[:100]]
        acknowledged = {envelope["event_id"] for envelope, envelope_id in zip(envelopes, delivered, strict=False)
                        if socket.acknowledged(envelope_id, timeout=3)}
        assert len(acknowledged) == 100
        stopped_in = terminate(bot)
        assert stopped_in < STOP_LIMIT, f"exited {stopped_in:.1f} s after SIGTERM\n{bot.log()[-3000:]}"
        assert "handed back" in bot.log(), "every answer finished within the grace period; nothing was tested"
        again = make()
        try:
            for envelope in envelopes:
                if envelope["event_id"] not in acknowledged:
                    assert socket.acknowledged(socket.deliver("events_api", envelope, retry_attempt=1), timeout=3)
            wait_for_everyone(slack, students)
        finally:
            again.stop()


def test_sigterm_on_teams_during_a_burst_then_a_restart(identity, connector, database_url, isolated_env):
    """Teams: the answers in flight when the bot stops go back to recovery. Teams keeps no history to look in, so
    one whose post the connector took just as the process ended is sent again: at most one per call in flight
    (README: the at-least-once window). Nobody is left out."""
    bot = teams_bot(identity, connector, database_url, isolated_env)
    students = [person(100 + number) for number in range(100)]
    for student in students:
        assert bot.send(personal(student, "what is a RASA?")).status == 200
    stopped_in = terminate(bot)
    assert stopped_in < STOP_LIMIT, f"exited {stopped_in:.1f} s after SIGTERM\n{bot.log()[-3000:]}"
    assert "handed back" in bot.log(), "every answer finished within the grace period; nothing was tested"
    again = teams_bot(identity, connector, database_url, isolated_env)
    try:
        chats = {personal(student)["conversation"]["id"] for student in students}
        assert connector.wait_for(lambda c: {call.conversation_id for call in c.sent()} >= chats, timeout=90)
        answers = Counter(call.conversation_id for call in connector.sent())
        assert set(answers) == chats and sum(answers.values()) - len(chats) <= 8, answers
    finally:
        again.stop()


def wait_for_everyone(slack: SlackStandIn, students: list[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while len({call.params["channel"] for call in slack.delivered("chat.postMessage")}) < len(students):
        assert time.monotonic() < deadline, "some students were never answered"
        time.sleep(0.2)
    time.sleep(3)
    answers = Counter(call.params["channel"] for call in slack.delivered("chat.postMessage"))
    assert answers == {f"D{user}": 1 for user in students}, {user: n for user, n in answers.items() if n != 1}


@pytest.fixture
def connector(identity):
    with TeamsConnector(require_token=identity.bot_token, latency=1.0) as server:
        yield server


def teams_bot(identity, connector, database_url, folder) -> TeamsBot:
    return TeamsBot(api_url="", database_url=database_url, data_dir=folder / "bot", identity=identity,
                    connector=connector, extra_env={"NUDGES_ENABLED": "false", "EVENT_LEASE_SECONDS": "5"}).start()
