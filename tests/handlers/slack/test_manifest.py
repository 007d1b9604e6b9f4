"""The shipped manifest asks Slack for exactly what the adapter handles, so a new feature cannot drift from it."""

from __future__ import annotations

from pathlib import Path

import yaml

from handlers.slack.http import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "handlers" / "slack" / "manifest.yaml"


def test_manifest_subscribes_to_the_events_the_adapter_handles():
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "message.im", "app_mention", "app_home_opened", "assistant_thread_started",
        "assistant_thread_context_changed", "message.channels", "message.groups"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "assistant_view" in manifest["features"]


def test_manifest_command_scopes_and_urls_match_the_code():
    manifest = yaml.safe_load(MANIFEST.read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/advisor"
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "im:history", "app_mentions:read", "assistant:write"} <= scopes
    # nudges: DMs to students, their time zones, and finding a post after a crash in DMs and class channels
    assert {"im:write", "users:read", "channels:history", "groups:history"} <= scopes
    # alumni requests: who is in the liaison channel
    assert {"channels:read", "groups:read"} <= scopes
    urls = [command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
