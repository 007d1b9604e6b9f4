"""GET /health says whether the database takes a write, not just whether it answers a read: on a full or read-only
disk every claim (and so every acknowledgement) would fail, and the load balancer must stop sending traffic."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from store.db import migrated_engine, writable


def test_a_database_that_takes_writes_is_healthy(database_url):
    assert writable(migrated_engine(database_url))


def test_a_read_only_sqlite_database_is_not_healthy(tmp_path):
    path = tmp_path / "advisor.db"
    migrated_engine(f"sqlite:///{path}")
    read_only = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert not writable(read_only)


def test_a_read_only_postgresql_session_is_not_healthy(postgres_url):
    migrated_engine(postgres_url)
    url = make_url(postgres_url).update_query_dict({"options": "-c default_transaction_read_only=on"})
    assert not writable(create_engine(url))
