"""Alembic environment: runs on the connection store.db hands over, or on DATABASE_URL from the CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from config.settings import load_settings
from store.db import make_engine

MIGRATION_LOCK_KEY = 7_311_024  # PostgreSQL advisory lock: one replica migrates at a time


def _run(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(load_settings().database_url).begin() as own_connection:
        _run(own_connection)
