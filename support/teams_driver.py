"""Driving the real `advisor run` as a Teams bot: its credentials point at the loopback identity provider,
activities are POSTed to /api/messages with tokens minted by it, and replies land on the connector stand-in."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from support.slack_driver import Response, RunningBot
from support.teams_stand_in import Identity, TeamsConnector

APP_ID = "6f1c2b7e-0d4a-4c1e-9a57-3b2f8e9d1a01"
TENANT = "8a2b1c3d-4e5f-4061-8a9b-0c1d2e3f4a5b"
SECRET = "stand-in-secret"
BOT = {"id": f"28:{APP_ID}", "name": "Career Advisor"}
LIAISON_CHANNEL = "19:liaison0000@thread.tacv2"
CLASS_CHANNEL = "19:class2028p@thread.tacv2"
_ids = itertools.count(1700000000001)


def person(number: int) -> dict:
    """A student or staff member: Teams' per-bot id and the stable Entra object id."""
    return {"id": f"29:user-{number}", "aadObjectId": f"00000000-0000-4000-8000-{number:012d}", "name": f"P{number}"}


def personal(who: dict, text: str = "", value: dict | None = None, service_url: str = "") -> dict:
    activity = {"type": "message", "id": str(next(_ids)), "channelId": "msteams", "serviceUrl": service_url,
                "from": who, "recipient": BOT, "text": text,
                "conversation": {"id": f"a:chat-{who['aadObjectId']}", "conversationType": "personal",
                                 "tenantId": TENANT},
                "channelData": {"tenant": {"id": TENANT}}}
    if value is not None:
        activity["value"] = value
    return activity


def in_channel(who: dict, channel: str, text: str = "", value: dict | None = None, service_url: str = "",
               mention: bool = True, thread: str | None = None) -> dict:
    activity_id = str(next(_ids))
    activity = {"type": "message", "id": activity_id, "channelId": "msteams", "serviceUrl": service_url,
                "from": who, "recipient": BOT,
                "text": f"<at>Career Advisor</at> {text}" if mention else text,
                "conversation": {"id": f"{channel};messageid={thread or activity_id}", "conversationType": "channel",
                                 "isGroup": True, "tenantId": TENANT},
                "channelData": {"tenant": {"id": TENANT}, "team": {"id": "19:team@thread.tacv2"},
                                "channel": {"id": channel}}}
    if mention:
        activity["entities"] = [{"type": "mention", "text": "<at>Career Advisor</at>", "mentioned": BOT}]
    if value is not None:
        activity["value"] = value
    return activity


@dataclass
class TeamsBot(RunningBot):
    """`advisor run` with Teams credentials only (no Slack), against the identity and connector stand-ins."""

    identity: Identity | None = None
    connector: TeamsConnector | None = None
    teams_env: dict[str, str] = field(default_factory=dict)
    health_path = "/healthz"

    def environment(self) -> dict[str, str]:
        env = super().environment()
        for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"):
            env.pop(name, None)
        return {**env, "TEAMS_CLIENT_ID": APP_ID, "TEAMS_CLIENT_SECRET": SECRET, "TEAMS_TENANT_ID": TENANT,
                "TEAMS_PORT": str(self.port), "TEAMS_LOGIN_ENDPOINT": self.identity.login_endpoint,
                "TEAMS_OPENID_METADATA_URL": self.identity.openid_metadata_url,
                "TEAMS_TOKEN_ISSUER": self.identity.issuer, "TEAMS_SERVICE_URL": self.connector.service_url,
                "REQUESTS_CA_BUNDLE": self.identity.ca_file, **self.teams_env}

    def token(self, **claims) -> str:
        return self.identity.mint(APP_ID, service_url=self.connector.service_url, **claims)

    def send(self, activity: dict, token: str | None = None, timeout: float = 30.0) -> Response:
        """POSTs an activity as the Bot Connector would: signed for this bot and this serviceUrl."""
        activity.setdefault("serviceUrl", self.connector.service_url)
        if not activity["serviceUrl"]:
            activity["serviceUrl"] = self.connector.service_url
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token or self.token()}"}
        return self.request("POST", "/api/messages", json.dumps(activity).encode(), headers, timeout=timeout)


    def ask(self, activity: dict, replies: int = 1, timeout: float = 15.0) -> list:
        """Sends an activity and waits for the bot's `replies` new messages (it answers after the 200)."""
        before = len(self.connector.sent())
        response = self.send(activity)
        assert response.status == 200, response.body
        assert self.connector.wait_for(lambda connector: len(connector.sent()) >= before + replies, timeout), \
            f"expected {replies} message(s) from the bot; log:\n{self.log()[-3000:]}"
        return self.connector.sent()[before:]


def card_of(call) -> dict:
    """The Adaptive Card a recorded post or update carries."""
    return next(attachment["content"] for attachment in call.body.get("attachments", [])
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive")


def card_text(call) -> str:
    """Every piece of text on the card (TextBlocks, facts, button titles), for assertions."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card_of(call))
    return "\n".join(found)


LIAISON = person(2)  # the Alumni Liaison staff member the bots started below trust


def start_bot(identity: Identity, connector: TeamsConnector, database_url: str, folder, **env: str) -> TeamsBot:
    """`advisor run` with Teams credentials against the stand-ins, the liaison channel and staff set, nudges off;
    `env` adds or overrides Teams settings."""
    teams_env = {"TEAMS_LIAISON_CHANNEL": LIAISON_CHANNEL, "TEAMS_LIAISON_USER_IDS": LIAISON["aadObjectId"], **env}
    return TeamsBot(api_url="", database_url=database_url, data_dir=folder / "bot", identity=identity,
                    connector=connector, extra_env={"NUDGES_ENABLED": "false"}, teams_env=teams_env).start()
