"""What a Slack payload must look like before Bolt and the listeners read it.

A request can be signed by Slack and still not be something the advisor handles, or not have the shape
its kind promises (a field missing, a number where text belongs, a list where an object belongs). Such a
payload is acknowledged quietly and never reaches a listener, so no listener raises on it and no student is
sent an apology for something they did not send. The models name only the fields that Bolt or a listener
reads; everything else Slack sends is allowed through untouched.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from slack_bolt import BoltRequest

SLACK_RESPONSE_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
REQUIRED_BY_TYPE = {"message": ("channel", "ts"), "app_mention": ("user", "channel", "ts"),
                    "app_home_opened": ("user",), "assistant_thread_started": ("assistant_thread",),
                    "assistant_thread_context_changed": ("assistant_thread",)}
HANDLED_EVENTS = frozenset(REQUIRED_BY_TYPE)


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class Ref(Shape):
    id: str


class Authorization(Shape):
    enterprise_id: str | None = None
    team_id: str | None = None
    user_id: str | None = None
    is_enterprise_install: bool | None = None


class Envelope(Shape):
    """The top-level fields Bolt's own extractors read on every kind of payload."""

    type: str | None = None
    team: str | Ref | None = None
    enterprise: str | Ref | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    user: str | Ref | None = None
    user_id: str | None = None
    channel: str | Ref | None = None
    channel_id: str | None = None
    authorizations: list[Authorization] | None = None
    is_enterprise_install: bool | str | None = None
    response_url: str | None = None
    response_urls: list[dict[str, Any]] | None = None
    trigger_id: str | None = None


class AssistantThread(Shape):
    user_id: str
    channel_id: str
    thread_ts: str
    context: dict[str, Any] | None = None


class Event(Shape):
    """The fields the listeners read; each handled event type has the ones it cannot do without."""

    type: str
    user: str | None = None
    channel: str | None = None
    channel_type: str | None = None
    text: str | None = None
    ts: str | None = None
    event_ts: str | None = None
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    tab: str | None = None
    team: str | None = None
    assistant_thread: AssistantThread | None = None
    message: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Event:
        missing = [name for name in REQUIRED_BY_TYPE.get(self.type, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.type} event without {', '.join(missing)}")
        return self


class EventCallback(Envelope):
    type: Literal["event_callback"]
    event_id: str
    event: Event


class UrlVerification(Envelope):
    type: Literal["url_verification"]
    challenge: str


class SlashCommand(Envelope):
    command: Literal["/advisor"]
    text: str = ""
    user_id: str
    channel_id: str
    trigger_id: str
    response_url: str


class Action(Shape):
    action_id: str
    value: str | None = None
    block_id: str | None = None
    action_ts: str | None = None


class Container(Shape):
    type: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None


class Message(Shape):
    ts: str
    text: str | None = None
    thread_ts: str | None = None
    blocks: list[dict[str, Any]] | None = None


class Option(Shape):
    value: str


class Input(Shape):
    value: str | None = None
    selected_option: Option | None = None


class State(Shape):
    values: dict[str, dict[str, Input]] = Field(default_factory=dict)


class View(Shape):
    id: str
    type: str
    callback_id: str = ""
    private_metadata: str = ""
    team_id: str | None = None
    app_installed_team_id: str | None = None
    state: State = Field(default_factory=State)


class BlockActions(Envelope):
    """A button pressed on a message (which Slack sends with the message) or on a view (the App Home)."""

    type: Literal["block_actions"]
    user: Ref
    channel: Ref | None = None
    actions: list[Action] = Field(min_length=1)
    container: Container
    message: Message | None = None
    view: View | None = None
    action_ts: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> BlockActions:
        if self.container.type == "message" and not self.message:
            raise ValueError("a press on a message without the message")
        return self


class ViewSubmission(Envelope):
    type: Literal["view_submission"]
    user: Ref
    channel: Ref | None = None
    view: View


def kind_of(body: dict) -> type[Envelope] | None:
    """The model for a payload the advisor handles; None for kinds it does not (shortcuts, other events...)."""
    kinds = {"event_callback": EventCallback, "url_verification": UrlVerification, "block_actions": BlockActions,
             "view_submission": ViewSubmission}
    if "command" in body and "type" not in body:
        return SlashCommand
    kind = kinds.get(body["type"]) if isinstance(body.get("type"), str) else None
    if kind is EventCallback:
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str) \
                or event["type"] not in HANDLED_EVENTS:
            return None
    return kind


def problem(body: object, response_hosts: frozenset[str] = SLACK_RESPONSE_HOSTS) -> str | None:
    """Why this payload is not one the advisor handles, in a few words for the log; None when it is.
    `response_hosts`: where a response_url may point (Slack's hooks host, or a configured API host)."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if body.get("ssl_check") == "1" and "type" not in body:
        return None
    kind = kind_of(body)
    if kind is None:
        return "a kind of payload the advisor does not handle"
    try:
        payload = kind.model_validate(body)
    except ValidationError as error:
        where = ".".join(str(part) for part in error.errors()[0]["loc"])
        return f"{kind.__name__} with a malformed field ({where[:60]})"
    urls = [payload.response_url, *(url.get("response_url") for url in payload.response_urls or [])]
    if any(url is not None and not _points_to(url, response_hosts) for url in urls):
        return "a response_url that does not point to Slack"
    return None


def response_hosts(api_url: str | None) -> frozenset[str]:
    """Slack's hooks hosts, and the host of a configured Web API base URL (GovSlack, or a test stand-in)."""
    host = urlsplit(api_url).hostname if api_url else None
    return SLACK_RESPONSE_HOSTS | ({host} if host else set())


def _points_to(url: object, hosts: frozenset[str]) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("https", "http") and parts.hostname in hosts


def bolt_request(**arguments: Any) -> BoltRequest | None:
    """The BoltRequest for a payload that passed `problem` (Bolt reads the envelope as it builds one); None if
    Bolt still cannot read it."""
    try:
        return BoltRequest(**arguments)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        return None
