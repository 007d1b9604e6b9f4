"""Who or where a message goes: a platform and that platform's id, and the one stored form of the pair.

The ledger, the opt-outs, the tasks marked done, the liaison list and the audit trail keep a recipient as
one string: a Slack id bare (as before Teams existed), any other platform's id behind its name
("teams:<Entra object id>", "teams:19:...@thread.tacv2", "console:local"). Only this module builds or reads that string.
It is a NamedTuple so that the layers below the store (the planner) can carry a (platform, id) pair
without importing it.
"""

from __future__ import annotations

from typing import NamedTuple

SLACK, TEAMS, CONSOLE = "slack", "teams", "console"
PLATFORMS = (SLACK, TEAMS, CONSOLE)  # the console's student has preferences and tasks, but nothing is posted to it
_SEPARATOR = ":"


class Recipient(NamedTuple):
    platform: str
    id: str

    @classmethod
    def parse(cls, stored: str) -> Recipient:
        """The recipient a stored string names; a string without a known platform prefix is a Slack id."""
        platform, separator, rest = stored.partition(_SEPARATOR)
        if separator and platform in PLATFORMS and platform != SLACK:
            return cls(platform, rest)
        return cls(SLACK, stored)

    @property
    def stored(self) -> str:
        """The string the database keeps (see `parse`)."""
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r}")
        return self.id if self.platform == SLACK else f"{self.platform}{_SEPARATOR}{self.id}"

    def __str__(self) -> str:
        return self.stored
