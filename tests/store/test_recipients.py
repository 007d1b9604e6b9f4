"""The one stored form of a recipient: Slack ids bare, other platforms behind their name."""

from __future__ import annotations

import pytest

from store.recipients import CONSOLE, SLACK, TEAMS, Recipient


@pytest.mark.parametrize(("recipient", "stored"), [
    (Recipient(SLACK, "U012ABCDEF"), "U012ABCDEF"),
    (Recipient(SLACK, "C012ABCDEF"), "C012ABCDEF"),
    (Recipient(TEAMS, "0b8f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e"), "teams:0b8f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e"),
    (Recipient(TEAMS, "19:abc@thread.tacv2"), "teams:19:abc@thread.tacv2"),
    (Recipient(CONSOLE, "local"), "console:local"),
])
def test_stored_form_round_trips(recipient, stored):
    assert recipient.stored == str(recipient) == stored
    assert Recipient.parse(stored) == recipient


def test_an_unknown_platform_is_refused_and_an_unknown_prefix_is_a_slack_id():
    with pytest.raises(ValueError):
        _ = Recipient("email", "someone@example.edu").stored
    assert Recipient.parse("email:someone") == Recipient(SLACK, "email:someone")
