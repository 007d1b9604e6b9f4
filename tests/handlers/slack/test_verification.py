"""Unverified requests to /slack/events are refused before anything reads them: 401, no call to Slack or to any
URL the body names, no database write, and nothing of the body in the log. Signed bodies that are not Slack
payloads get 400. Text a student sends to the liaison is shown, never acted on."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

from store.db import make_engine
from store.models import ProcessedEvent
from support.slack_driver import dm, event_envelope, signature_headers

MARKER = "zebra-marker-words"


def lure(slack) -> dict:
    """A body that, if anything acted on it, would make the bot call the stand-in: a DM to answer, a channel to
    post into and a response_url to POST to."""
    envelope = event_envelope(dm("U0VICTIM", f"what is ERAS? {MARKER}"), event_id=f"EvLure{time.monotonic_ns()}")
    return {**envelope, "response_url": slack.response_url("ssrf"), "channel": {"id": "C0ANY"},
            "user": {"id": "U0VICTIM"}}


def processed_events(database_url: str) -> int:
    with Session(make_engine(database_url)) as db:
        return len(db.exec(select(ProcessedEvent.event_id)).all())


def refused_quietly(bot, slack, bot_database, response, events_before: int) -> None:
    assert response.status == 401, response.body
    time.sleep(0.4)
    assert slack.calls() == []
    assert processed_events(bot_database) == events_before
    assert MARKER not in bot.log()


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "1700000000.5", "-5", "99999999999999999999", " 17", "１２３"])
def test_a_timestamp_that_is_not_a_whole_number_is_refused_without_acting(bot, slack, bot_database, timestamp):
    before = processed_events(bot_database)
    body = json.dumps(lure(slack)).encode()
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": "v0=" + "0" * 64}
    response = bot.request("POST", "/slack/events", body, {k: v.encode("utf-8").decode("latin-1")
                                                           for k, v in headers.items()})
    refused_quietly(bot, slack, bot_database, response, before)


@pytest.mark.parametrize("offset", [-6 * 60, 6 * 60, 10 * 365 * 86400])
def test_stale_and_far_future_signatures_are_refused(bot, slack, bot_database, offset):
    before = processed_events(bot_database)
    body = json.dumps(lure(slack)).encode()
    response = bot.post_signed(body, "application/json", timestamp=int(time.time()) + offset)
    refused_quietly(bot, slack, bot_database, response, before)


NOT_PAYLOADS = {"bad json": (b"{not json", "application/json"), "array": (b"[1, 2, 3]", "application/json"),
                "string": (b'"a string"', "application/json"),
                "form payload not json": (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
                "form payload array": (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
                "not utf-8": (b"\xff\xfe\x00garbage", "application/json")}


@pytest.mark.parametrize("body, content_type", NOT_PAYLOADS.values(), ids=NOT_PAYLOADS.keys())
def test_unsigned_bodies_of_any_shape_get_401(bot, slack, bot_database, body, content_type):
    before = processed_events(bot_database)
    response = bot.request("POST", "/slack/events", body, {"Content-Type": content_type})
    refused_quietly(bot, slack, bot_database, response, before)


@pytest.mark.parametrize("body, content_type", NOT_PAYLOADS.values(), ids=NOT_PAYLOADS.keys())
def test_signed_bodies_that_are_not_slack_payloads_get_400(bot, slack, body, content_type):
    response = bot.post_signed(body, content_type)
    assert response.status == 400
    time.sleep(0.2)
    assert slack.calls() == []
    assert "Traceback" not in bot.log()


def test_a_body_over_one_megabyte_is_refused_unread(bot, slack, bot_database):
    before = processed_events(bot_database)
    envelope = lure(slack)
    envelope["padding"] = "x" * (1024 * 1024)
    response = bot.post_signed(json.dumps(envelope).encode(), "application/json")
    refused_quietly(bot, slack, bot_database, response, before)


def test_a_flood_of_forged_requests_writes_one_log_line_per_reason(bot, slack):
    size = len(bot.log())
    body = json.dumps(lure(slack)).encode() + b" " * 100_000
    for _ in range(9):
        assert bot.request("POST", "/slack/events", body, {"Content-Type": "application/json"}).status == 401
    grown = bot.log()[size:]
    assert len(grown) < 2_000 and grown.count("refused a request") <= 1
    assert slack.calls() == []


def test_a_forged_log_line_cannot_be_injected(bot, slack):
    event_id = "EvInject\n2026-01-01 00:00:00,000 ERROR advisor: FORGED LINE"
    for retry in (None, 1):
        assert bot.send_event(dm("U0INJECT", "what is ERAS?"), event_id=event_id, retry=retry).status == 200
    slack.wait_for("chat.postMessage")
    time.sleep(0.2)
    assert "FORGED LINE" in bot.log()  # the id was logged (with the retry), on the same line as its message
    assert not any(line.startswith("2026-01-01 00:00:00,000 ERROR advisor: FORGED") for line in bot.log().splitlines())


def test_a_signed_command_is_read_whole_even_when_its_text_says_payload(bot, slack):
    """Bolt's own parser reads a form whose text contains "payload" as an empty body."""
    form = {"command": "/advisor", "text": "ask what payload of letters do I need for ERAS", "user_id": "U0OK",
            "channel_id": "C0GENERAL", "team_id": "T0", "response_url": slack.response_url("ok"), "trigger_id": "t-ok"}
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)}
    assert bot.request("POST", "/slack/events", body, headers).status == 200
    [answer] = slack.wait_for("respond/ok")
    assert "payload of letters" in json.dumps(answer.params)
