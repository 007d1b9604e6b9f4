"""What the delivery engine and the platforms' couriers agree on: ready deliveries, the lease, the outcomes.

A courier (handlers/slack, handlers/teams) gets a delivery already resolved from its row (the recipient,
the words, the request it is about and, on a platform that needs one, the stored address the platform
reaches it at) and only renders and posts it. It calls `claim()` right before each
platform call, reports what the platform did as `Posted` or a `DeliveryError`, and can look a post up again
by the row it carries (`find`), so the engine never repeats a post whose fate is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from store.models import AlumniRequest, RequestChange
from store.recipients import Recipient

Delivery = TypeVar("Delivery", contravariant=True)


class DeliveryError(Exception):
    """The platform refused or could not take a message. Permanent ones (no such channel) are not retried.

    `maybe_sent`: the outcome is unknown (a 5xx, a dropped connection or a timeout after the request went
    out): the platform may have posted it, so it is looked up before it is ever sent again.
    `refused`: the platform answered and would not take this message (as opposed to being unreachable or
    failing): sending the same again will not help, though other words might.
    """

    def __init__(self, reason: str, permanent: bool, maybe_sent: bool = False, refused: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.maybe_sent = maybe_sent and not permanent
        self.refused = refused or permanent


class NotReady(Exception):
    """The message cannot go yet (a thread reply whose card is not posted): try again shortly, no attempt lost."""


class Taken(Exception):
    """Another sender claimed the message first: nothing to do here."""


@dataclass(frozen=True)
class Posted:
    conversation: str
    ts: str


@dataclass(frozen=True)
class Address:
    """Where a platform reaches a recipient, looked up before the courier is called so that it only posts: the
    conversation and, on a platform whose endpoint depends on it (Teams' regional service URL), that endpoint."""

    conversation: str
    endpoint: str | None = None


class AddressBook(Protocol):
    """One platform's lookup of stored addresses, configured by the wiring (handlers/teams/addresses.py)."""

    def __call__(self, to: Recipient, personal: bool) -> Address:
        """Raises DeliveryError when the recipient cannot be reached (a student with no chat with the bot)."""


@dataclass(frozen=True)
class ReadyNudge:
    """A ledger row ready to post: to whom, the programme's words, and what its buttons need."""

    delivery_id: int
    to: Recipient
    text: str
    personal: bool
    follow_up: bool
    category_label: str | None
    address: Address | None = None  # where the platform reaches `to`, on a platform with an address book


@dataclass(frozen=True)
class ReadyMail:
    """An outbox row ready to post: its kind and words, the request it is about, and where it goes."""

    message_id: int
    kind: str
    text: str | None
    request: AlumniRequest | None
    to: Recipient  # the student, or the liaison channel on the platform the card lives on
    thread: str | None = None  # the card's place, for what goes under it (or replaces it)
    status_change: RequestChange | None = None  # the request's latest status change, for the card
    address: Address | None = None  # where the platform reaches `to`, on a platform with an address book


class Leased(Protocol):
    def claim(self, row_id: int) -> bool: ...

    def touch(self, row_id: int) -> None: ...


class Claim:
    """Taken by the courier before its platform call. Outbox couriers take it at the last moment (after any wait
    for a rate-limit slot), so the lease that tells a dead sender from a slow one counts only time spent talking
    to the platform; nudge couriers before the pacer's wait, since nudge claims carry no lease."""

    def __init__(self, rows: Leased, row_id: int):
        self.rows = rows
        self.row_id = row_id
        self.held = False

    def __call__(self) -> None:
        if self.held:
            self.rows.touch(self.row_id)
        elif self.rows.claim(self.row_id):
            self.held = True
        else:
            raise Taken(self.row_id)


class Courier(Protocol[Delivery]):
    def send(self, delivery: Delivery, claim: Claim) -> Posted | None:
        """Posts it, calling `claim()` right before each platform call; where the new message is (None for an
        update in place). Raises DeliveryError, NotReady or Taken."""

    def find(self, delivery: Delivery, since: datetime) -> Posted | None:
        """The message if the platform already has it (its sender died before recording it), else None."""
