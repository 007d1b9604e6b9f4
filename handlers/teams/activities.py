"""Reading a Teams activity (Bot Framework schema, as a dict): who sent it, where, and where to answer."""

from __future__ import annotations

import html
import re

from bot.core import Student
from store.conversations import PERSONAL, ConversationRef

PLATFORM = "teams"
MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
TAGS = re.compile(r"<[^>]+>")


def user_id(activity: dict) -> str:
    """The sender's Entra object id (stable across chats and reinstalls); the channel account id otherwise."""
    sender = activity.get("from") or {}
    return sender.get("aadObjectId") or sender.get("id") or ""


def student(activity: dict) -> Student:
    return Student(platform=PLATFORM, user_id=user_id(activity))


def conversation_id(activity: dict) -> str:
    return (activity.get("conversation") or {}).get("id") or ""


def kind(activity: dict) -> str:
    return (activity.get("conversation") or {}).get("conversationType") or PERSONAL


def is_personal(activity: dict) -> bool:
    return kind(activity) == PERSONAL


def text_of(activity: dict) -> str:
    """What the person typed: @mentions of the bot removed, Teams' HTML reduced to text."""
    raw = MENTION.sub(" ", activity.get("text") or "")
    return " ".join(html.unescape(TAGS.sub(" ", raw)).split())


def channel_base(conversation: str) -> str:
    """A channel's id without the reply chain ("19:x@thread.tacv2;messageid=1" -> "19:x@thread.tacv2")."""
    return conversation.split(";messageid=", 1)[0]


def reply_chain(activity: dict) -> str:
    """Where a channel answer goes: the reply chain the mention was in, or the one it started."""
    conversation = conversation_id(activity)
    if ";messageid=" in conversation or is_personal(activity):
        return conversation
    return f"{conversation};messageid={activity.get('id')}"


def reference(activity: dict) -> ConversationRef | None:
    """How to reach this conversation later (channels are stored without their reply chain)."""
    conversation, service_url = conversation_id(activity), activity.get("serviceUrl")
    if not conversation or not service_url:
        return None
    data = activity.get("channelData") or {}
    personal = is_personal(activity)
    return ConversationRef(
        conversation_id=conversation if personal else channel_base(conversation),
        kind=kind(activity),
        service_url=service_url, user_id=user_id(activity) if personal else None,
        team_id=(data.get("team") or {}).get("id"),
        tenant_id=(data.get("tenant") or {}).get("id") or (activity.get("conversation") or {}).get("tenantId"))


def number(value: object) -> int:
    """An id from a card's data (a number, or digits); -1 for anything else, which matches nothing."""
    return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else -1
