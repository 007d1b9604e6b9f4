"""What every Slack feature module shares: who is asking, and posting a core answer."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.core import AdvisorCore, Answer, Student
from handlers.slack.blocks import answer_message
from handlers.slack.surfaces import home_view

PLATFORM = "slack"
RECOVERING = "advisor_recovering"  # request context flag: a question re-dispatched after a crash


def student(user_id: str) -> Student:
    return Student(platform=PLATFORM, user_id=user_id)


def render(core: AdvisorCore, answer: Answer, heading: str | None = None) -> dict:
    return answer_message(answer, core.copy.ask_a_person, core.copy.profile_prompt, heading)


def post_answer(core: AdvisorCore, client: WebClient, channel: str, answer: Answer,
                thread_ts: str | None = None, event_id: str | None = None) -> None:
    """Posts the answer; for a question's event, then releases its kept payload (the question is answered)."""
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **render(core, answer))
    if event_id:
        core.answered(PLATFORM, event_id)


def publish_home(core: AdvisorCore, client: WebClient, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=home_view(core, student(user_id)))


def is_from_a_person(event: dict) -> bool:
    """Only people's own new messages are questions: not bots (us included), edits, deletions or joins."""
    return (event.get("bot_id") is None and event.get("subtype") in (None, "file_share", "thread_broadcast")
            and bool(event.get("user")))


def is_channel_chatter(body: dict) -> bool:
    """A top-level message in a channel the bot is in (class channels, the liaison's): no listener acts on it
    (channel threads carry the liaison's replies; mentions arrive as app_mention), so it is not worth a claim."""
    event = body.get("event") or {}
    return (event.get("type") == "message" and event.get("channel_type") in ("channel", "group")
            and not event.get("thread_ts"))


def is_question(body: dict) -> bool:
    """An event that must get an answer: a person's DM or mention (kept until answered, see bot/events.py)."""
    event = body.get("event") or {}
    return is_from_a_person(event) and (
        event.get("type") == "app_mention" or (event.get("type") == "message" and event.get("channel_type") == "im"))
