"""The states of an alumni request, apart from the store so the command line can offer them without loading it."""

from __future__ import annotations

OPEN, CLAIMED, NEEDS_INFO, CONNECTED, CLOSED = "open", "claimed", "needs_info", "connected", "closed"
STATUSES = (OPEN, CLAIMED, NEEDS_INFO, CONNECTED, CLOSED)
