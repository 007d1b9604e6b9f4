"""Entry point of the `advisor` console script: thin wiring, the work is in bot/, knowledge/, handlers/."""

from __future__ import annotations

import sys

from bot.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
