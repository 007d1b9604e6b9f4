"""Shared fixtures: the real knowledge base, an advisor, and real databases (SQLite; PostgreSQL when available)."""

from __future__ import annotations

import os

import pytest

from bot.conversation import Advisor
from knowledge.engine import SearchEngine
from knowledge.loader import load_knowledge
from tests.databases import throwaway_postgres


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


@pytest.fixture(scope="session")
def engine(kb):
    return SearchEngine(kb)


@pytest.fixture(scope="session")
def advisor(kb, engine):
    return Advisor(kb, engine=engine)


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """A clean environment for settings: no .env from the checkout, data in a temporary folder."""
    for name in list(os.environ):
        if name in {"DATABASE_URL", "DATA_DIR", "KNOWLEDGE_DIR", "LOG_LEVEL", "LOG_STUDENT_TEXT",
                    "DECLINED_QUESTION_RETENTION_DAYS", "INSTITUTION_TIMEZONE", "SLACK_BOT_TOKEN",
                    "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "PORT", "HOST", "COHORTS_FILE",
                    "NUDGES_ENABLED", "QUIET_HOURS", "NUDGE_WEEKLY_CAP", "NUDGE_TICK_SECONDS", "NUDGE_SEND_WORKERS",
                    "NUDGE_RETENTION_DAYS", "SLACK_POST_RATE", "SLACK_CHANNEL_POST_RATE",
                    "ALUMNI_LIAISON_CHANNEL", "LIAISON_USER_IDS", "ALUMNI_REMINDER_BUSINESS_DAYS",
                    "ALUMNI_DIGEST_TIME", "ALUMNI_CHECK_IN_DAYS", "ALUMNI_REQUEST_RETENTION_DAYS"} \
                or name.startswith("TEAMS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards.

    Locally the test is skipped without TEST_POSTGRES_URL; in CI (CI=true) a missing server fails.
    """
    admin_url = _postgres_admin_url()
    if admin_url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the PostgreSQL tests: TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set TEST_POSTGRES_URL)")
    with throwaway_postgres(admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'advisor.db'}"
    return request.getfixturevalue("postgres_url")
