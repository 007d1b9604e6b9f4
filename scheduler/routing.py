"""Sending through the platform a delivery belongs to, when Slack and Teams run side by side.

A ready delivery names its recipient's platform, so a nudge or a message to a student goes through that
platform's courier; a platform whose couriers post to stored addresses (Teams) also has an address book,
which the resolvers consult (`address`) so that the couriers never read the database. Which platform the
liaison's mail belongs to is decided when the mail is resolved (scheduler/outbox_worker.py, with
`Couriers.liaison_platform`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from scheduler.ports import Address, AddressBook, Claim, Courier, DeliveryError, Posted, ReadyMail, ReadyNudge
from store.recipients import SLACK, TEAMS, Recipient

NAMES = {SLACK: "Slack", TEAMS: "Teams"}

C = TypeVar("C")


class ByPlatform(Generic[C]):
    def __init__(self, couriers: Mapping[str, C | None], addresses: Mapping[str, AddressBook] | None = None):
        self.couriers = {platform: courier for platform, courier in couriers.items() if courier is not None}
        self.addresses = dict(addresses or {})

    def courier(self, platform: str, permanent: bool) -> C:
        """The platform's courier; a DeliveryError when that platform is not configured here."""
        found = self.couriers.get(platform)
        if found is None:
            raise DeliveryError(f"{NAMES.get(platform, platform)} is not configured", permanent=permanent)
        return found

    def address(self, to: Recipient, personal: bool) -> Address | None:
        """Where `to`'s platform reaches them, if it keeps an address book (Slack does not: ids are addresses)."""
        book = self.addresses.get(to.platform)
        return book(to, personal) if book else None

    @property
    def only(self) -> str | None:
        """The one platform configured, if just one is."""
        return next(iter(self.couriers)) if len(self.couriers) == 1 else None


class NudgeCourier(Courier[ReadyNudge], Protocol):
    def timezone_of(self, student: Recipient) -> str | None: ...


class Messengers(ByPlatform[NudgeCourier]):
    """The nudge engine's courier: each nudge through its recipient's platform (none configured: it fails)."""

    def send(self, nudge: ReadyNudge, claim: Claim) -> Posted | None:
        return self.courier(nudge.to.platform, permanent=True).send(nudge, claim)

    def find(self, nudge: ReadyNudge, since: datetime) -> Posted | None:
        return self.courier(nudge.to.platform, permanent=True).find(nudge, since)

    def timezone_of(self, student: Recipient) -> str | None:
        return self.courier(student.platform, permanent=True).timezone_of(student)


class MailCourier(Courier[ReadyMail], Protocol):
    platform: str
    liaison_channel: str  # "" until set
    liaison_setting: str  # the setting that names it, for the log


class Couriers(ByPlatform[MailCourier]):
    """The outbox engine's courier: each message through the platform it was resolved to."""

    def __init__(self, couriers: Mapping[str, MailCourier | None], liaison_platform: str | None = None,
                 addresses: Mapping[str, AddressBook] | None = None):
        super().__init__(couriers, addresses)
        self.liaison_platform = liaison_platform or self.only or SLACK

    @classmethod
    def of(cls, courier: Couriers | MailCourier) -> Couriers:
        return courier if isinstance(courier, Couriers) else cls({courier.platform: courier})

    def liaison_place(self, card_channel: str | None) -> str:
        """Where the liaison's mail about a request goes: where its card is, else where the liaison works."""
        if self.only:
            return self.only
        if card_channel:
            return TEAMS if card_channel == TEAMS else SLACK  # a Teams card is recorded as "teams" + its activity id
        return self.liaison_platform

    def send(self, mail: ReadyMail, claim: Claim) -> Posted | None:
        return self.courier(mail.to.platform, permanent=False).send(mail, claim)

    def find(self, mail: ReadyMail, since: datetime) -> Posted | None:
        return self.courier(mail.to.platform, permanent=False).find(mail, since)
