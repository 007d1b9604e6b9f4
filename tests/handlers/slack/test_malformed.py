"""Signed but malformed: payloads of every kind the bot handles, mutated by hypothesis (fields missing, wrong
types, nulls, nested junk), sent to the real endpoints with valid signatures or tokens. The bot answers each
with a 4xx or a quiet acknowledgement, never a 5xx; no listener raises (no traceback in the log, no apology to
a student for something they did not send); and it still answers a real question afterwards."""

from __future__ import annotations

import copy
import json
import os
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.slack import alumni_blocks
from support.slack_driver import RunningBot, block_action, dm, event_envelope, mention, view_submission
from support.slack_stand_in import SlackStandIn
from support.teams_driver import TeamsBot, in_channel, person, personal
from support.teams_stand_in import TeamsConnector

EXAMPLES = int(os.environ.get("ADVISOR_FUZZ_EXAMPLES", "1000"))  # per kind; fewer for a quick local look
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
STUDENT = "U0FUZZ"
APOLOGY = "something went wrong on my side"

LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40),
                   st.sampled_from(["", "<!channel>", "U0OTHER", "1700000000.000100", "42", "x" * 3001]))
JSON = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=3), max_leaves=6)


def places(node, path=()):
    """Every place in a JSON tree a mutation can hit: each dict key and each list index."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from places(value, (*path, index))


@st.composite
def mutated(draw, base: dict, strings_only: bool = False):
    """`base` with one to three mutations: a field dropped, replaced by junk (of any type, or text for forms),
    or nulled."""
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        targets = list(places(payload))
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        operation = draw(st.sampled_from(["drop", "replace", "null"]))
        if operation == "drop":
            del parent[path[-1]]
        elif strings_only:
            parent[path[-1]] = draw(st.text(max_size=40) | st.sampled_from(["", "<!channel>", "{", "[]", "x" * 3001]))
        else:
            parent[path[-1]] = None if operation == "null" else draw(JSON)
    return payload


# ----------------------------------------------------------------------------------------------- Slack

@pytest.fixture(scope="module")
def slack():
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    running = RunningBot(slack.url, f"sqlite:///{folder / 'advisor.db'}", folder / "bot",
                         extra_env={"NUDGES_ENABLED": "false", "ALUMNI_LIAISON_CHANNEL": "C0LIAISON",
                                    "LIAISON_USER_IDS": "U0LIAISON"}).start()
    yield running
    running.stop()


def assert_healthy_afterwards(bot: RunningBot, slack: SlackStandIn) -> None:
    time.sleep(1.0)  # work after the acknowledgements
    log = bot.log()
    assert "Traceback" not in log and "slack: handling a" not in log, log[-4000:]
    assert not [call for call in slack.delivered("chat.postMessage") if APOLOGY in json.dumps(call.params)]
    user = f"U0AFTER{time.monotonic_ns()}"
    bot.send_event(dm(user, "what is a RASA?"))
    slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == f"D{user}", timeout=20)


def send_json(bot: RunningBot, payload: dict) -> int:
    return bot.post_signed(json.dumps(payload).encode(), "application/json").status


def send_form_payload(bot: RunningBot, payload: dict) -> int:
    return bot.post_signed(urlencode({"payload": json.dumps(payload)}).encode(),
                           "application/x-www-form-urlencoded").status


EVENTS = [
    event_envelope(dm(STUDENT, "what is a RASA?")),
    event_envelope(dm(STUDENT, "can you connect me with an alum in dermatology?", thread_ts="1700000000.000100")),
    event_envelope(mention(STUDENT, "C0GENERAL", "when is ERAS?")),
    event_envelope({"type": "app_home_opened", "user": STUDENT, "channel": f"D{STUDENT}", "tab": "home",
                    "event_ts": "1700000000.000200"}),
    event_envelope({"type": "assistant_thread_started", "event_ts": "1700000000.000300",
                    "assistant_thread": {"user_id": STUDENT, "channel_id": f"D{STUDENT}",
                                         "thread_ts": "1700000000.000300", "context": {}}}),
    event_envelope({"type": "message", "channel": "C0LIAISON", "channel_type": "group", "user": "U0LIAISON",
                    "text": "Which city?", "ts": "1700000000.000500", "thread_ts": "1700000000.000400"}),
]
ACTIONS = [
    block_action(STUDENT, "advisor_entry_0", "rasa", "http://127.0.0.1:9/respond", channel=f"D{STUDENT}"),
    block_action(STUDENT, "advisor_vote_helpful", "rasa", "http://127.0.0.1:9/respond", channel=f"D{STUDENT}",
                 message={"ts": "1700000000.000100", "text": "answer", "blocks": [{"type": "actions",
                                                                                   "block_id": "vote"}]}),
    block_action("U0LIAISON", alumni_blocks.CLAIM, "1", "http://127.0.0.1:9/respond", channel="C0LIAISON"),
    block_action(STUDENT, "advisor_nudge_done", "7", "http://127.0.0.1:9/respond", channel=f"D{STUDENT}"),
    block_action(STUDENT, f"{alumni_blocks.CHECK_IN_PREFIX}helpful", "1", "http://127.0.0.1:9/respond",
                 channel=f"D{STUDENT}"),
    block_action(STUDENT, "advisor_nudge_category_tasks", "off", "http://127.0.0.1:9/respond"),
]
VIEWS = [
    view_submission(STUDENT, "advisor_profile", {}, {"class_of": "2028", "track": "hst"}),
    view_submission(STUDENT, alumni_blocks.INTAKE_CALLBACK, {"description": "an alum in dermatology in Boston"}),
    view_submission("U0LIAISON", alumni_blocks.CLOSE_CALLBACK, {"reason": "found someone"}, private_metadata="1"),
]


def point_responses_at(slack: SlackStandIn, payload: dict) -> dict:
    """Keeps response_url on the stand-in (the mutation may replace it with junk, which is fine)."""
    if payload.get("response_url") == "http://127.0.0.1:9/respond":
        payload["response_url"] = slack.response_url("fuzz")
    return payload


def test_mutated_events_never_get_a_server_error(bot, slack):
    @FUZZ
    @given(st.sampled_from(EVENTS).flatmap(mutated))
    def events(payload):
        payload["event_id"] = f"Ev{time.monotonic_ns()}" if isinstance(payload.get("event_id"), str) \
            else payload.get("event_id", None)
        assert send_json(bot, payload) < 500

    events()
    assert_healthy_afterwards(bot, slack)


def test_mutated_slash_commands_never_get_a_server_error(bot, slack):
    base = {"command": "/advisor", "text": "profile 2028 pathways", "user_id": STUDENT, "channel_id": "C0GENERAL",
            "team_id": "T0STANDIN", "response_url": "http://127.0.0.1:9/respond", "trigger_id": "t-1"}
    texts = ["help", "ask what is ERAS", "profile 2028 pathways", "nudges off tasks", "alumni an alum in Boston",
             "requests", "upcoming", "profile", "alumni"]

    @FUZZ
    @given(st.sampled_from(texts).flatmap(lambda text: mutated({**base, "text": text}, strings_only=True)))
    def commands(form):
        point_responses_at(slack, form)
        assert bot.post_signed(urlencode(form).encode(), "application/x-www-form-urlencoded").status < 500

    commands()
    assert_healthy_afterwards(bot, slack)


def test_mutated_block_actions_never_get_a_server_error(bot, slack):
    @FUZZ
    @given(st.sampled_from(ACTIONS).flatmap(mutated))
    def actions(payload):
        assert send_form_payload(bot, point_responses_at(slack, {"team": {"id": "T0STANDIN"}, **payload})) < 500

    actions()
    assert_healthy_afterwards(bot, slack)


def test_mutated_view_submissions_never_get_a_server_error(bot, slack):
    @FUZZ
    @given(st.sampled_from(VIEWS).flatmap(mutated))
    def views(payload):
        assert send_form_payload(bot, {"team": {"id": "T0STANDIN"}, **payload}) < 500

    views()
    assert_healthy_afterwards(bot, slack)


# ----------------------------------------------------------------------------------------------- Teams

@pytest.fixture(scope="module")
def teams(identity, tmp_path_factory):
    folder = tmp_path_factory.mktemp("teams-fuzz")
    with TeamsConnector(require_token=identity.bot_token) as connector:
        running = TeamsBot(api_url="", database_url=f"sqlite:///{folder / 'advisor.db'}", data_dir=folder / "bot",
                           identity=identity, connector=connector, extra_env={"NUDGES_ENABLED": "false"},
                           teams_env={"TEAMS_LIAISON_CHANNEL": "19:liaison@thread.tacv2"}).start()
        yield running
        running.stop()


STUDENT_IN_TEAMS = person(1)
ACTIVITIES = [
    personal(STUDENT_IN_TEAMS, "what is a RASA?"),
    personal(STUDENT_IN_TEAMS, "profile 2028 pathways"),
    in_channel(STUDENT_IN_TEAMS, "19:class@thread.tacv2", "when is ERAS?"),
    personal(STUDENT_IN_TEAMS, value={"advisor": "file_request", "nonce": "n-1", "description": "an alum in Boston"}),
    personal(STUDENT_IN_TEAMS, value={"advisor": "vote", "entry": "rasa", "helpful": True}),
    personal(STUDENT_IN_TEAMS, value={"advisor": "nudge_done", "delivery": 7}),
    in_channel(person(2), "19:liaison@thread.tacv2", value={"advisor": "alumni_claim", "request": 1}, mention=False),
]
INVOKES = [{**personal(STUDENT_IN_TEAMS), "type": "invoke", "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": "vote", "data": {"entry": "rasa"}}}}]


def test_mutated_teams_activities_and_invokes_never_get_a_server_error(teams):
    bases = [{**activity, "serviceUrl": teams.connector.service_url} for activity in ACTIVITIES + INVOKES]

    @FUZZ
    @given(st.sampled_from(bases).flatmap(mutated))
    def activities(activity):
        activity["id"] = f"fuzz-{time.monotonic_ns()}" if "id" in activity else None
        activity = {key: value for key, value in activity.items() if value is not None}
        status = teams.request("POST", "/api/messages", json.dumps(activity).encode(),
                               {"Content-Type": "application/json", "Authorization": f"Bearer {teams.token()}"}).status
        assert status < 500

    activities()
    time.sleep(1.0)
    log = teams.log()
    assert "Traceback" not in log and "handling a Teams activity failed" not in log, log[-4000:]
    assert not [call for call in teams.connector.sent() if APOLOGY in json.dumps(call.body)]
    [answer] = teams.ask(personal(person(9), "what is a RASA?"))
    assert "Residency Application Specialty Advisor" in json.dumps(answer.body)
