"""What a Teams activity must look like before the SDK and TeamsTurns read it.

An activity can come with a valid token and still not have the shape the Bot Framework schema promises (a
field missing, a number where text belongs). Such an activity gets 400 and never reaches the SDK's parser
or a handler, so nothing raises on it and no student is sent an apology for something they did not send.
The models name the fields the SDK or the handlers read; everything else passes through untouched.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from microsoft_teams.api import ActivityTypeAdapter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Account(Shape):
    id: str
    name: str | None = None
    aadObjectId: str | None = None
    role: str | None = None


class Conversation(Shape):
    id: str
    conversationType: str | None = None
    tenantId: str | None = None
    isGroup: bool | None = None
    name: str | None = None


class Activity(Shape):
    type: str
    id: str | None = None
    serviceUrl: str
    channelId: str | None = None
    sender: Account | None = Field(default=None, alias="from")
    recipient: Account | None = None
    conversation: Conversation
    text: str | None = None
    textFormat: str | None = None
    value: Any = None
    name: str | None = None
    replyToId: str | None = None
    locale: str | None = None
    timestamp: str | None = None
    entities: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    channelData: dict[str, Any] | None = None

    @field_validator("serviceUrl")
    @classmethod
    def _a_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("serviceUrl is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Activity:
        if self.type == "message" and not (self.id and self.sender):
            raise ValueError("a message without its id or sender")
        if self.type == "message" and self.value is not None and not isinstance(self.value, dict):
            raise ValueError("a card's submitted value that is not an object")
        return self


def problem(activity: object) -> str | None:
    """Why this is not an activity the bot can read, in a few words for the log; None when it is. Checked
    against the handlers' needs and against the SDK's own schema (what it parses every activity with)."""
    if not isinstance(activity, dict):
        return "not a JSON object"
    try:
        Activity.model_validate(activity)
        ActivityTypeAdapter.validate_python(activity)
    except ValidationError as error:
        where = ".".join(str(part) for part in error.errors()[0]["loc"])
        return f"an activity with a malformed field ({where[:60] or 'itself'})"
    return None
