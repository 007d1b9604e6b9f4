"""Alumni-advisor requests end to end: the real bot (`advisor run`, HTTP mode) gets signed requests, its outbox
posts to the loopback Slack stand-in, and the database is real. Every intake path, the liaison's card and
buttons, who may press them, escaping, Slack failing (with and without a restart), and relays both ways.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import text

from handlers.slack import alumni_blocks as blocks
from store.alumni import AlumniRequests
from store.db import migrated_engine
from support.slack_driver import RunningBot, block_action, dm, view_submission
from support.slack_stand_in import SlackStandIn

LIAISON_CHANNEL, LIAISON, STUDENT, OTHER = "C0LIAISON", "U0LIAISON", "U0STUDENT", "U0OTHER"
REQUEST = "an alum in dermatology in Boston, for a call about research years"


@pytest.fixture
def slack():
    with SlackStandIn() as stand_in:
        stand_in.members[LIAISON_CHANNEL] = [LIAISON, "U0ADVISOR"]
        yield stand_in


@pytest.fixture
def database_url(isolated_env):
    return f"sqlite:///{isolated_env / 'advisor.db'}"


def start_bot(slack, database_url, isolated_env, **env) -> RunningBot:
    return RunningBot(slack.url, database_url, isolated_env / "bot",
                      extra_env={"NUDGES_ENABLED": "false", "ALUMNI_LIAISON_CHANNEL": LIAISON_CHANNEL, **env}).start()


@pytest.fixture
def bot(slack, database_url, isolated_env):
    running = start_bot(slack, database_url, isolated_env)
    yield running
    running.stop()


@pytest.fixture
def store(database_url):
    return AlumniRequests(migrated_engine(database_url))


def is_card(call) -> bool:
    """A request's card itself: a top-level post in the liaison channel headed by the request's number."""
    return (call.params.get("channel") == LIAISON_CHANNEL and not call.params.get("thread_ts")
            and str(call.params.get("text", "")).startswith("Alumni-advisor request #"))


def cards(slack, timeout=10.0, count=1):
    return slack.wait_for("chat.postMessage", count, timeout, where=is_card)


def card_text(call) -> str:
    return json.dumps(call.params["blocks"])


def file_by_command(bot, slack, text=REQUEST, user=STUDENT):
    response = bot.send_command(user, f"alumni {text}", slack.response_url("alumni"))
    assert response.status == 200
    return response


def eventually(check, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def press(bot, slack, user, action_id, value, name, channel=LIAISON_CHANNEL, message=None):
    bot.send_interaction(block_action(user, action_id, value, slack.response_url(name), channel, message))
    [reply] = slack.wait_for(f"respond/{name}", timeout=10)
    return reply.params


def test_the_command_files_at_once_and_the_liaison_gets_one_escaped_card(bot, slack, store):
    sneaky = "please <!channel> and <@U0DEAN>: an alum in surgery & <https://evil.example|this link> too"
    response = file_by_command(bot, slack, sneaky)
    assert "request #1 is with the Alumni Liaison" in response.json()["text"]
    [request] = store.listing()
    assert (request.student_id, request.status) == (STUDENT, "open")
    [card] = cards(slack)
    shown = card_text(card)
    assert "&lt;!channel&gt;" in shown and "&lt;@U0DEAN&gt;" in shown and "&amp;" in shown
    assert "<!channel>" not in shown and "<@U0DEAN>" not in shown and "<https://evil" not in shown
    assert f"<@{STUDENT}>" in shown  # the student, as the liaison needs to see them
    assert [element["action_id"] for element in card.params["blocks"][-2]["elements"]] == list(blocks.LIAISON_ACTIONS)
    assert eventually(lambda: store.get(1).card_ts is not None)
    time.sleep(1.0)
    assert len(cards(slack)) == 1


def test_a_too_short_request_gets_a_clear_answer_and_nothing_is_filed(bot, slack, store):
    response = file_by_command(bot, slack, "derm")
    assert "couldn't send that yet" in response.json()["text"]
    assert store.listing() == []


def test_the_modal_files_with_its_fields_and_sends_a_receipt(bot, slack, store):
    bot.send_command(STUDENT, "alumni", slack.response_url("open"))
    [opened] = slack.wait_for("views.open", timeout=10)
    assert opened.params["view"]["callback_id"] == blocks.INTAKE_CALLBACK
    submission = view_submission(STUDENT, blocks.INTAKE_CALLBACK,
                                 {"specialty": "Orthopaedics", "location": "Seattle", "description": REQUEST},
                                 {"contact": "shadowing"})
    assert bot.send_interaction(submission).status == 200
    [request] = store.listing()
    assert (request.specialty, request.location, request.contact) == ("Orthopaedics", "Seattle", "shadowing")
    cards(slack)
    [receipt] = slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == STUDENT)
    assert "Alumni Liaison has your request" in receipt.params["text"]
    bot.send_interaction(submission)  # submitted twice (a double click): still one request
    assert len(store.listing()) == 1


def test_the_modal_refuses_a_bad_description_in_place(bot, slack, store):
    response = bot.send_interaction(view_submission(STUDENT, blocks.INTAKE_CALLBACK, {"description": "hi"}))
    assert response.json()["response_action"] == "errors" and "description" in response.json()["errors"]
    assert store.listing() == []


def test_plain_words_in_a_dm_become_a_confirm_and_send(bot, slack, store):
    bot.send_event(dm(STUDENT, "Could you connect me with an alum in dermatology? I'm thinking about research."))
    [draft] = slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == f"D{STUDENT}")
    buttons = draft.params["blocks"][-1]["elements"]
    assert [button["action_id"] for button in buttons] == [blocks.SEND_DRAFT, blocks.EDIT_DRAFT, blocks.DROP_DRAFT]
    message = {"ts": "1700000000.000100", "text": draft.params["text"], "blocks": draft.params["blocks"]}
    sent = press(bot, slack, STUDENT, blocks.SEND_DRAFT, buttons[0]["value"], "send", f"D{STUDENT}", message)
    assert sent["replace_original"] is True and "request #1" in sent["text"]
    press(bot, slack, STUDENT, blocks.SEND_DRAFT, buttons[0]["value"], "again", f"D{STUDENT}", message)
    [request] = store.listing()
    assert "dermatology" in request.description
    cards(slack)


def test_a_question_about_alumni_is_still_answered_not_filed(bot, slack, store):
    bot.send_event(dm(STUDENT, "How do I reach an alumni advisor?"))
    [answer] = slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == f"D{STUDENT}")
    shown = json.dumps(answer.params["blocks"])
    assert "Alumni Liaison" in answer.params["text"] and "Send it" not in shown
    assert blocks.OPEN_INTAKE in shown  # with a button to make the request there and then
    assert store.listing() == []


def test_someone_not_on_the_liaison_team_cannot_act_and_nothing_changes(bot, slack, store):
    file_by_command(bot, slack)
    cards(slack)
    refused = press(bot, slack, OTHER, blocks.CLAIM, "1", "claim")
    assert "Only the Alumni Liaison team" in refused["text"] and refused["response_type"] == "ephemeral"
    refused_form = press(bot, slack, OTHER, blocks.CLOSE, "1", "close")
    assert "Only the Alumni Liaison team" in refused_form["text"]
    forged = view_submission(OTHER, blocks.CLOSE_CALLBACK, {"reason": "spam"}, private_metadata="1")
    assert bot.send_interaction(forged).json()["response_action"] == "errors"
    assert store.get(1).status == "open" and [c.action for c in store.history(1)] == ["filed"]
    assert slack.calls("chat.update") == [] and slack.calls("views.open") == []


def test_the_liaison_claims_asks_and_connects_and_the_card_and_student_follow(bot, slack, store):
    file_by_command(bot, slack)
    [card] = cards(slack)
    bot.send_interaction(block_action(LIAISON, blocks.CLAIM, "1", slack.response_url("claim"), LIAISON_CHANNEL))
    [update] = slack.wait_for("chat.update", timeout=10)
    assert "Claimed" in update.params["text"] and f"<@{LIAISON}>" in card_text(update)
    assert update.params["ts"] == store.get(1).card_ts
    student_dms = lambda: [c for c in slack.delivered("chat.postMessage") if c.params.get("channel") == STUDENT]  # noqa: E731
    slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == STUDENT)
    assert "picked up your request" in student_dms()[0].params["text"]

    bot.send_interaction(block_action(LIAISON, blocks.MARK_CONNECTED, "1", slack.response_url("c"), LIAISON_CHANNEL))
    [form] = slack.wait_for("views.open", timeout=10)
    assert form.params["view"]["callback_id"] == blocks.CONNECTED_CALLBACK
    bot.send_interaction(view_submission(LIAISON, blocks.CONNECTED_CALLBACK,
                                         {"alumnus": "Dr. Ada <b>Lovelace</b>", "notes": "Expect an email this week."},
                                         private_metadata="1"))
    slack.wait_for("chat.update", 2, timeout=10)
    assert store.get(1).status == "connected" and store.get(1).alumnus == "Dr. Ada <b>Lovelace</b>"
    slack.wait_for("chat.postMessage", 2, where=lambda call: call.params.get("channel") == STUDENT)
    told = student_dms()[1]
    assert "connected with Dr. Ada &lt;b&gt;Lovelace&lt;/b&gt;" in json.dumps(told.params["blocks"])
    final = slack.calls("chat.update")[-1]
    assert "actions" not in [block["type"] for block in final.params["blocks"]]  # no buttons on a finished card
    assert [c.action for c in store.history(1)] == ["filed", "claimed", "connected"]
    assert all(c.actor == LIAISON for c in store.history(1)[1:])
    assert card.params["metadata"]["event_type"] == "advisor_outbox"


def test_replies_are_relayed_both_ways(bot, slack, store):
    file_by_command(bot, slack)
    cards(slack)
    assert eventually(lambda: store.get(1).card_ts is not None)
    card_ts = store.get(1).card_ts
    liaison_says = {"type": "message", "channel": LIAISON_CHANNEL, "channel_type": "group", "user": LIAISON,
                    "text": "Which city? <!here>", "ts": f"{time.time():.6f}", "thread_ts": card_ts}
    bot.send_event(liaison_says)
    [relay] = slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == STUDENT)
    assert "Which city? &lt;!here&gt;" in json.dumps(relay.params["blocks"]) + relay.params["text"]
    assert "<!here>" not in json.dumps(relay.params["blocks"]) + relay.params["text"]
    assert eventually(lambda: store.mail.of_request(1)[-1].ts is not None)
    relay_ts = store.mail.of_request(1)[-1].ts
    student_says = "Boston or Providence, please <!channel> <@U0BOSS> <https://evil.example|click>"
    bot.send_event(dm(STUDENT, student_says, thread_ts=relay_ts))
    [back] = slack.wait_for("chat.postMessage", where=lambda call: call.params.get("thread_ts") == card_ts
                            and call.params.get("channel") == LIAISON_CHANNEL)
    shown = back.params["text"] + json.dumps(back.params["blocks"])
    assert "Boston or Providence" in shown and "&lt;!channel&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|click&gt;" \
        in back.params["text"]
    assert not any(live in shown for live in ("<!channel>", "<@U0BOSS>", "<https://evil"))
    [thanks] = slack.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == f"D{STUDENT}")
    assert "Passed on to the Alumni Liaison" in thanks.params["text"]
    # someone else's words in the thread are not relayed; Slack's retry of the liaison's reply is relayed once
    bot.send_event({**liaison_says, "user": OTHER, "text": "drive-by comment", "ts": f"{time.time():.6f}"})
    bot.send_event(liaison_says, event_id="EvLIAISON1")
    bot.send_event(liaison_says, event_id="EvLIAISON1", retry=1)
    # channel chatter outside threads is acknowledged without a database claim
    chatter = {**liaison_says, "text": "lunch?", "ts": f"{time.time():.6f}"}
    del chatter["thread_ts"]
    assert bot.send_event(chatter, event_id="EvCHATTER1").status == 200
    time.sleep(1.0)
    assert [c.action for c in store.history(1)] == ["filed", "liaison_replied", "student_replied", "liaison_replied"]
    with store.engine.connect() as db:
        claimed = {row[0] for row in db.execute(text("SELECT event_id FROM processed_event"))}
    assert "EvLIAISON1" in claimed and "EvCHATTER1" not in claimed


def test_students_see_only_their_own_requests(bot, slack, store):
    file_by_command(bot, slack, "an alum in pediatrics in Chicago for shadowing", user=OTHER)
    file_by_command(bot, slack)
    mine = bot.send_command(STUDENT, "requests", slack.response_url("mine")).json()["text"]
    assert "#2" in mine and "dermatology" in mine
    assert "#1" not in mine and "pediatrics" not in mine


@pytest.mark.parametrize("restart", [False, True], ids=["same process", "after a restart"])
def test_slack_down_when_the_request_is_made_keeps_it_and_delivers_it_once(slack, database_url, isolated_env, store,
                                                                          restart):
    bot = start_bot(slack, database_url, isolated_env)
    try:
        slack.outage(500)
        response = file_by_command(bot, slack)
        assert "request #1" in response.json()["text"]
        time.sleep(3.0)
        assert slack.delivered("chat.postMessage") == []
        assert store.get(1) is not None and store.get(1).card_ts is None
        if restart:
            bot.kill()
        slack.outage(None)
        recovered = time.monotonic()
        if restart:
            bot = start_bot(slack, database_url, isolated_env)
        [card] = cards(slack, timeout=60)
        assert card.at - recovered < 60
        time.sleep(2.0)
        assert len(cards(slack)) == 1 and store.get(1).card_ts is not None
    finally:
        bot.stop()
