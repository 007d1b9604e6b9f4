"""Database engine and schema migrations.

SQLite by default (a file in DATA_DIR), PostgreSQL in production: the same SQLModel tables and
the same Alembic migrations serve both, and every start brings the schema up to date.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from store.models import SchedulerState, utcnow

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Enough connections for the web threads and Slack listener threads of one process under a burst.
POSTGRES_POOL_SIZE = 10
POSTGRES_POOL_OVERFLOW = 30


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # In WAL mode NORMAL still survives a crash of the bot; only an OS crash or power cut may lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POSTGRES_POOL_SIZE, max_overflow=POSTGRES_POOL_OVERFLOW)


def migrate(engine: Engine) -> None:
    """Apply every pending Alembic migration (idempotent; safe with several replicas on PostgreSQL)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache(maxsize=8)
def migrated_engine(database_url: str) -> Engine:
    """One migrated engine per URL for the life of the process."""
    engine = make_engine(database_url)
    migrate(engine)
    return engine


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


_sqlite_write_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session for a write transaction.

    SQLite allows one writer at a time and makes the others poll with growing sleeps (up to 100 ms each),
    which under a burst of messages costs far more than the writes themselves; queueing the writers of
    this process on a lock hands the database over at once. PostgreSQL needs no such help.
    """
    if engine.dialect.name != "sqlite":
        with session(engine) as db:
            yield db
        return
    with _locks_guard:
        lock = _sqlite_write_locks.setdefault(id(engine), threading.Lock())
    with lock, session(engine) as db:
        yield db


def upsert_statement(db: Session, model: type):
    """An INSERT that knows ON CONFLICT, in the dialect of the session's database (SQLite or PostgreSQL)."""
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(model)


def insert_or_update(db: Session, model: type, values: dict, keys: tuple[str, ...], update: tuple[str, ...]) -> int:
    """One atomic INSERT ... ON CONFLICT on SQLite and PostgreSQL; an empty `update` ignores conflicts.

    Returns the number of rows written, so an ignored conflict (0) tells the caller someone was first.
    RETURNING counts them, because a session's rowcount for such statements is -1 on psycopg.
    """
    statement = upsert_statement(db, model).values(**values)
    if update:
        statement = statement.on_conflict_do_update(index_elements=list(keys),
                                                    set_={name: values[name] for name in update})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    key_column = getattr(model, keys[0])
    return len(db.execute(statement.returning(key_column)).all())


HEALTH_ROW = "health_probe"


def writable(engine: Engine) -> bool:
    """For GET /health: does the database take (and commit) a write right now? A read alone passes on a full or
    read-only disk, where every claim, and so every acknowledgement, would fail."""
    try:
        with writing(engine) as db:
            values = {"name": HEALTH_ROW, "value": "ok", "updated_at": utcnow()}
            insert_or_update(db, SchedulerState, values, keys=("name",), update=("updated_at",))
            db.commit()
        return True
    except SQLAlchemyError:
        return False


def is_storage_error(error: BaseException) -> bool:
    return isinstance(error, SQLAlchemyError)
