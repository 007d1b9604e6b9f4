"""Migrations and the declined-question log on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

import store.models  # noqa: F401
from store.curation import DeclinedLog
from store.db import make_engine, migrate, session
from store.models import DeclinedQuestion, utcnow


def test_migrations_create_the_schema_the_models_describe(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # a second start finds nothing to do
    assert "declined_question" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == [], "models changed without a migration"
    engine.dispose()


def test_declined_questions_are_kept_then_expire(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    log = DeclinedLog(engine, retention_days=30)
    log.record("where do i park at tmec", "pce", None)
    with session(engine) as db:
        db.add(DeclinedQuestion(text="an old question", created_at=utcnow() - timedelta(days=31)))
        db.commit()
    assert log.questions() == ["where do i park at tmec"]
    engine.dispose()


def test_recording_a_question_purges_expired_ones(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    with session(engine) as db:
        db.add(DeclinedQuestion(text="an old question", created_at=utcnow() - timedelta(days=31)))
        db.commit()
    DeclinedLog(engine, retention_days=30).record("a new one", None, None)
    with session(engine) as db:
        assert list(db.exec(select(DeclinedQuestion.text))) == ["a new one"]
    engine.dispose()


def test_retention_zero_keeps_nothing(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    DeclinedLog(engine, retention_days=0).record("anything", None, None)
    assert DeclinedLog(engine, retention_days=30).questions() == []
    engine.dispose()


def test_long_questions_are_truncated_not_rejected(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    log = DeclinedLog(engine, retention_days=30)
    log.record("x" * 5000, None, None)
    assert [len(q) for q in log.questions()] == [500]
    engine.dispose()
