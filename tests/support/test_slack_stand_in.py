"""The Slack stand-in, exercised through the real slack_sdk clients so tests built on it can trust what it records."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from support.slack_stand_in import SlackStandIn

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Residency* timeline"}}]


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server


def client_for(stand_in: SlackStandIn, **kwargs: object) -> WebClient:
    return WebClient(token="xoxb-test", base_url=stand_in.url, timeout=5, **kwargs)


def test_auth_test(stand_in: SlackStandIn) -> None:
    response = client_for(stand_in).auth_test()

    assert response["ok"] is True
    assert response["user_id"] == "U0ADVISOR"
    assert response["team_id"] == "T0STANDIN"
    assert response["bot_id"] == "B0ADVISOR"
    [call] = stand_in.calls("auth.test")
    assert call.status == 200
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_post_message_records_params_and_returns_increasing_ts(stand_in: SlackStandIn) -> None:
    client = client_for(stand_in)

    first = client.chat_postMessage(channel="D0STUDENT", text="Residency timeline", blocks=BLOCKS)
    second = client.chat_postMessage(channel="D0STUDENT", text="Follow-up")
    # The form-encoded path (api_call with data=) carries blocks as a JSON string; the stand-in decodes it.
    form = {"channel": "C0GENERAL", "text": "form", "blocks": json.dumps(BLOCKS)}
    third = client.api_call("chat.postMessage", data=form)

    assert first["channel"] == "D0STUDENT"
    assert first["message"]["text"] == "Residency timeline"
    assert float(first["ts"]) < float(second["ts"]) < float(third["ts"])
    calls = stand_in.calls("chat.postMessage")
    assert [call.params["text"] for call in calls] == ["Residency timeline", "Follow-up", "form"]
    assert calls[0].params["blocks"] == BLOCKS
    assert calls[2].params["blocks"] == BLOCKS
    assert calls[0].headers["content-type"].startswith("application/json")
    assert calls[2].headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert stand_in.delivered("chat.postMessage") == calls


def test_canned_answers(stand_in: SlackStandIn) -> None:
    client = client_for(stand_in)

    user = client.users_info(user="U123")["user"]
    assert user["id"] == "U123"
    assert user["tz"] == "America/New_York"
    assert user["profile"]["real_name"] == "Student U123"
    assert stand_in.calls("users.info")[0].params == {"user": "U123"}  # GET query string
    assert client.conversations_open(users="U123")["channel"]["id"] == "DU123"
    view = client.views_publish(user_id="U123", view={"type": "home", "blocks": BLOCKS})["view"]
    assert view["id"].startswith("V")
    assert view["type"] == "home"
    assert client.api_call("reactions.add", json={"name": "tada"})["ok"] is True

    with pytest.raises(SlackApiError) as missing:
        client.api_call("chat.postMessage", json={"text": "nowhere"})
    assert missing.value.response["error"] == "channel_not_found"
    assert stand_in.calls("chat.postMessage")[0].status == 200
    assert stand_in.delivered("chat.postMessage") == []


def test_fail_next_500_then_success(stand_in: SlackStandIn) -> None:
    client = client_for(stand_in)
    stand_in.fail_next("chat.postMessage", 500)

    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="D0STUDENT", text="first try")
    assert failure.value.response.status_code == 500
    assert failure.value.response["error"] == "internal_error"

    assert client.chat_postMessage(channel="D0STUDENT", text="second try")["ok"] is True
    assert [call.status for call in stand_in.calls("chat.postMessage")] == [500, 200]
    assert [call.params["text"] for call in stand_in.delivered("chat.postMessage")] == ["second try"]


def test_rate_limit_retry_records_both_attempts(stand_in: SlackStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    # The handler sleeps Retry-After + random.random(); pin the jitter to keep the test fast.
    monkeypatch.setattr(builtin_handlers, "random", SimpleNamespace(random=lambda: 0.0))
    client = client_for(stand_in, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    stand_in.fail_next("chat.postMessage", 429, retry_after=0)

    response = client.chat_postMessage(channel="D0STUDENT", text="retried")

    assert response["ok"] is True
    attempts = stand_in.calls("chat.postMessage")
    assert [call.status for call in attempts] == [429, 200]
    assert attempts[0].params == attempts[1].params
    assert len(stand_in.delivered("chat.postMessage")) == 1


def test_wait_for_times_out_with_what_was_received(stand_in: SlackStandIn) -> None:
    client_for(stand_in).chat_postMessage(channel="D0STUDENT", text="only one")

    started = time.monotonic()
    with pytest.raises(AssertionError) as timeout:
        stand_in.wait_for("chat.postMessage", count=2, timeout=0.2)
    assert time.monotonic() - started < 2
    assert "chat.postMessage" in str(timeout.value)
    assert "only one" in str(timeout.value)


def test_wait_for_sees_later_delivery(stand_in: SlackStandIn) -> None:
    client = client_for(stand_in)
    timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="D0STUDENT", text="later"))
    timer.start()
    try:
        [call] = stand_in.wait_for("chat.postMessage", where=lambda call: call.params.get("text") == "later")
    finally:
        timer.join()
    assert call.params["channel"] == "D0STUDENT"


def test_response_url_post_recorded(stand_in: SlackStandIn) -> None:
    response = WebhookClient(stand_in.response_url("x")).send(text="Here is your answer", response_type="ephemeral")

    assert response.status_code == 200
    assert response.body == "ok"
    [call] = stand_in.wait_for("respond/x")
    assert call.params == {"text": "Here is your answer", "response_type": "ephemeral"}


def test_reset_forgets_calls_and_failures(stand_in: SlackStandIn) -> None:
    client = client_for(stand_in)
    client.auth_test()
    stand_in.fail_next("auth.test", 500)

    stand_in.reset()

    assert stand_in.calls() == []
    assert client.auth_test()["ok"] is True


def test_channel_rate_limit_is_per_channel() -> None:
    with SlackStandIn(channel_rate=1) as stand_in:
        client = client_for(stand_in)
        assert client.chat_postMessage(channel="D0AAA", text="one")["ok"] is True
        with pytest.raises(SlackApiError) as limited:
            client.chat_postMessage(channel="D0AAA", text="two")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["retry-after"] == "1"
        assert client.chat_postMessage(channel="D0BBB", text="other channel")["ok"] is True

        assert [call.status for call in stand_in.calls("chat.postMessage")] == [200, 429, 200]
        assert [call.params["text"] for call in stand_in.delivered()] == ["one", "other channel"]


def test_workspace_rate_limit() -> None:
    with SlackStandIn(workspace_rate=2) as stand_in:
        client = client_for(stand_in)
        statuses = []
        for channel in ("C1", "C2", "C3"):
            try:
                statuses.append(client.chat_postMessage(channel=channel, text="hi").status_code)
            except SlackApiError as error:
                statuses.append(error.response.status_code)
        assert statuses == [200, 200, 429]


def test_hundred_concurrent_posts_all_delivered() -> None:
    with SlackStandIn(latency=0.02) as stand_in:
        client = client_for(stand_in)

        def post(i: int) -> str:
            return client.chat_postMessage(channel=f"D{i:03d}", text=f"message {i}")["ts"]

        with ThreadPoolExecutor(max_workers=100) as pool:
            stamps = list(pool.map(post, range(100)))

        assert len(set(stamps)) == 100
        delivered = stand_in.wait_for("chat.postMessage", count=100)
        assert len(delivered) == 100
        assert {call.params["text"] for call in delivered} == {f"message {i}" for i in range(100)}
