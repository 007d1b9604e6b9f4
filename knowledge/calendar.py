"""Queries over the structured events calendar (the `event:` blocks of events.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def month_name(month: int) -> str:
    return MONTH_NAMES[(month - 1) % 12]


def months_from(start: int, count: int) -> tuple[int, ...]:
    """`count` consecutive months starting at `start`, wrapping past December."""
    return tuple((start - 1 + offset) % 12 + 1 for offset in range(count))


@dataclass(frozen=True)
class Scheduled:
    entry: Entry
    month: int  # the first month of the window in which it happens


def events_in(
    kb: KnowledgeBase, months: tuple[int, ...], phase: str | None, track: str | None,
    year_of_phase: int | None = None,
) -> list[Scheduled]:
    """Events for this phase and track (and year of the phase, when known) in the given months, in window order."""
    found = []
    for entry in kb.events:
        if not (entry.applies_to_phase(phase) and entry.applies_to_track(track)):
            continue
        hits = [m for m in months if entry.event.happens(m, year_of_phase)]
        if hits:
            found.append(Scheduled(entry=entry, month=hits[0]))
    return sorted(found, key=lambda item: (months.index(item.month), item.entry.title))


def next_event_after(
    kb: KnowledgeBase, months: tuple[int, ...], phase: str | None, track: str | None
) -> Scheduled | None:
    """The first event after the window, looking up to a year ahead (any year of the phase)."""
    after = months_from(months[-1] % 12 + 1, 12)
    upcoming = events_in(kb, after, phase, track)
    return upcoming[0] if upcoming else None
