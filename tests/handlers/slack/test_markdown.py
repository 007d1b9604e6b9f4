"""Neutral Markdown rendered as Slack mrkdwn, and Slack's markup unwrapped where Slack text arrives."""

from __future__ import annotations

from handlers.slack.markdown import mrkdwn, plain_text
from knowledge.copy import escape


def test_slack_markup_is_unwrapped_not_echoed(advisor):
    reply = advisor.reply(plain_text("<@U123ABC> <!channel> when is <http://example.org|match day>?"))
    assert reply.entry == "match-day"
    for markup in ("<@", "<!", "<http"):
        assert markup not in reply.text


def test_neutral_markdown_becomes_mrkdwn():
    assert mrkdwn("**Saved.** See [the pages](https://example.org/a?b=1) or `/advisor help`.") == \
        "*Saved.* See <https://example.org/a?b=1|the pages> or `/advisor help`."


def test_escaped_values_stay_inert_on_slack():
    typed = "<!channel> **loud** [x](https://evil.example) & more"
    shown = mrkdwn(f"You wrote: {escape(typed)}")
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert shown == "You wrote: &lt;!channel&gt; **loud** [x](https://evil.example) &amp; more"
