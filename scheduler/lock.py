"""One sender at a time across replicas: whoever holds the lock plans and sends; the others skip the tick.

PostgreSQL: a session advisory lock, which the server releases the moment the holder's connection
closes, so a replica killed mid fan-out never blocks the next tick. SQLite (one machine): an flock on a
file beside the database, which the kernel releases when the holding process dies.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

# Any constant shared by every replica; distinct from the key migrations lock on.
NUDGE_SENDER_LOCK = 7_331_004

_memory_locks: dict[int, threading.Lock] = {}


@contextmanager
def sender_lock(engine: Engine) -> Iterator[bool]:
    """Yields True when this process may send now, False when another sender holds the lock."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine) as held:
            yield held
        return
    database = engine.url.database
    if database and database != ":memory:":
        with _file_lock(Path(f"{database}.nudges.lock")) as held:
            yield held
        return
    lock = _memory_locks.setdefault(id(engine), threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[bool]:
    with engine.connect() as connection:
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": NUDGE_SENDER_LOCK})
                    .scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": NUDGE_SENDER_LOCK})
                connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
