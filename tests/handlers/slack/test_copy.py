"""A sentence edited in copy.yaml is what Slack students read (the bot reads its content from KNOWLEDGE_DIR)."""

from __future__ import annotations

import json

import pytest

from support.content import edited_copy
from support.slack_driver import RunningBot


@pytest.fixture(scope="module")
def bot(slack, bot_database, tmp_path_factory):
    content = edited_copy(tmp_path_factory.mktemp("content"), "help", "**Edited help** for `/advisor`.", "slack")
    running = RunningBot(slack.url, bot_database, tmp_path_factory.mktemp("bot"),
                         extra_env={"KNOWLEDGE_DIR": str(content)}).start()
    yield running
    running.stop()


def test_an_edited_sentence_reaches_slack_as_mrkdwn(bot, slack):
    response = bot.send_command("U301", "help", slack.response_url("help"))
    assert response.status == 200
    shown = json.dumps(response.json())
    assert "*Edited help* for `/advisor`." in shown and "**Edited" not in shown
