"""copy.yaml's Slack wording, rendered: mrkdwn for sections and context, plain text for titles, labels, buttons."""

from __future__ import annotations

from handlers.slack.markdown import mrkdwn, plain
from knowledge.copy import Copy, Markdown
from knowledge.copy import escape as inert

PLATFORM = "slack"


class SlackCopy:
    def __init__(self, copy: Copy):
        self.copy = copy

    def markdown(self, key: str, **values: object) -> Markdown:
        """The neutral Markdown, worded for Slack (to fill into another key)."""
        return self.copy.say(key, PLATFORM, **values)

    def text(self, key: str, **values: object) -> str:
        """As mrkdwn: a section, a context line, a message's text."""
        return mrkdwn(self.markdown(key, **values))

    def label(self, key: str, **values: object) -> str:
        """As plain text: a title, a form label, a button."""
        return plain(self.markdown(key, **values))

    def with_mentions(self, key: str, mentions: dict[str, str], **values: object) -> str:
        """As mrkdwn with live mentions (`<@U123>`) for the named placeholders: the template is rendered first and
        the mentions put in after, so nothing the template or the values hold can become a mention."""
        template = mrkdwn(self.copy.template(key, PLATFORM).strip())
        filled = {name: mrkdwn(value if isinstance(value, Markdown) else inert(value))
                  for name, value in values.items()}
        return template.format(**filled, **{name: f"<@{user}>" for name, user in mentions.items()})
