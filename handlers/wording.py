"""copy.yaml for the renderers a courier calls without a core (the nudge and the alumni-request messages).

The couriers build those messages from the outbox and the delivery ledger, so the renderers take the copy as an
optional argument and fall back to the configured one here: KNOWLEDGE_DIR's copy.yaml, read once per folder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from config.settings import load_settings
from knowledge.copy import Copy
from knowledge.loader import load_copy


@cache
def _read(folder: Path | None) -> Copy:
    return load_copy(folder)


def configured(copy: Copy | None = None) -> Copy:
    """`copy` when a caller has it, else copy.yaml from KNOWLEDGE_DIR (as the core reads it)."""
    return copy if copy is not None else _read(load_settings(env_file=None).knowledge_dir)
