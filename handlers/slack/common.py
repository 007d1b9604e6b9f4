"""What every Slack feature module shares: who is asking, where a reply goes, and posting it exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from bot.core import AdvisorCore, Answer, Student
from handlers.slack.blocks import answer_message
from handlers.slack.delivery import LOOKBACK, find_stamped, post_once, stamp
from handlers.slack.surfaces import home_view

PLATFORM = "slack"
RECOVERING = "advisor_recovering"  # request context flag: a question re-dispatched after a crash
REPLY_EVENT = "advisor_reply"
OLDEST_REPLY = timedelta(hours=2)  # no reply to a question is looked for further back than this


def student(user_id: str) -> Student:
    return Student(platform=PLATFORM, user_id=user_id)


@dataclass(frozen=True)
class ReplyPlace:
    """Where the reply to something a person did goes, and the key it is stamped with (message metadata), so
    a retry, the recovery after a crash and the apology can each find out whether it is there already."""

    channel: str  # a conversation id, or a user id for their DM with the bot
    thread_ts: str | None
    key: str  # "event:<event id>" or "press:<user>:<action ts>"
    since: datetime  # the reply came after this

    @property
    def metadata(self) -> dict:
        return stamp(REPLY_EVENT, "to", self.key)


def event_place(body: dict) -> ReplyPlace | None:
    """Where the reply to an event goes: the DM or its thread, the thread under a mention, the assistant thread."""
    event, event_id = body.get("event") or {}, body.get("event_id")
    thread = event.get("assistant_thread") or {}
    channel = thread.get("channel_id") or event.get("channel")
    if not (event_id and channel):
        return None
    thread_ts = thread.get("thread_ts") or event.get("thread_ts") or (
        event.get("ts") if event.get("type") == "app_mention" else None)
    return ReplyPlace(channel, thread_ts, f"event:{event_id}", _since(event.get("ts") or event.get("event_ts")))


def interaction_place(body: dict) -> ReplyPlace:
    """Where the reply to a button or a form goes: its conversation and thread, or the student's DM (App Home
    buttons, modals)."""
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or user
    action = (body.get("actions") or [{}])[0]
    which = action.get("action_ts") or (body.get("view") or {}).get("id") or body.get("trigger_id")
    return ReplyPlace(channel, (body.get("message") or {}).get("thread_ts"), f"press:{user}:{which}",
                      datetime.now(UTC) - LOOKBACK)


def _since(ts: str | None) -> datetime:
    now = datetime.now(UTC)
    try:
        return max(datetime.fromtimestamp(float(ts or ""), UTC) - LOOKBACK, now - OLDEST_REPLY)
    except (ValueError, OverflowError, OSError):
        return now - OLDEST_REPLY


def find_reply(client: WebClient, place: ReplyPlace):
    """The reply already posted at `place`, if any; DeliveryError when Slack cannot tell."""
    return find_stamped(client, place.channel, place.since, place.metadata, place.thread_ts)


def post_reply(client: WebClient, place: ReplyPlace, content: dict, look_first: bool = False) -> None:
    """Posts once: stamped with the place's key, and looked up before any second post (or before the first,
    with `look_first`, when an earlier attempt may have got through)."""
    if look_first and find_reply(client, place) is not None:
        return
    post_once(lambda: client.chat_postMessage(channel=place.channel, thread_ts=place.thread_ts, unfurl_links=False,
                                              metadata=place.metadata, **content),
              lambda: find_reply(client, place))


def render(core: AdvisorCore, answer: Answer, heading: str | None = None) -> dict:
    return answer_message(answer, core.copy.ask_a_person, core.copy.profile_prompt, heading, copy=core.texts)


def post_answer(core: AdvisorCore, client: WebClient, place: ReplyPlace, answer: Answer) -> None:
    post_reply(client, place, render(core, answer))


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
    """An event that must get an answer: a person's DM or mention (kept until answered, see store/events.py)."""
    event = body.get("event") or {}
    return is_from_a_person(event) and (
        event.get("type") == "app_mention" or (event.get("type") == "message" and event.get("channel_type") == "im"))
