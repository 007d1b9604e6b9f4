"""Shared fixtures: the real knowledge base, an advisor, and real databases (SQLite; PostgreSQL when available)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.conversation import Advisor
from config.settings import SETTING_NAMES
from knowledge.engine import SearchEngine
from knowledge.loader import load_knowledge
from support.databases import throwaway_postgres
from support.slack_driver import RunningBot
from support.slack_stand_in import SlackStandIn
from support.teams_driver import APP_ID, SECRET, TENANT
from support.teams_stand_in import Identity


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


@pytest.fixture(scope="session")
def engine(kb):
    return SearchEngine(kb)


@pytest.fixture(scope="session")
def advisor(kb, engine):
    return Advisor(kb, engine=engine)


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """A clean environment for settings: no .env from the checkout, data in a temporary folder."""
    for name in SETTING_NAMES & set(os.environ):
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


# One running bot (HTTP mode) and one Slack stand-in per test module, reset between tests; modules that need their
# own (other settings, a fresh database each test) define fixtures of these names, which take precedence.

@pytest.fixture(scope="module")
def slack():
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def bot_database(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('slack') / 'advisor.db'}"


@pytest.fixture(scope="module")
def bot(slack, bot_database, tmp_path_factory):
    running = RunningBot(slack.url, bot_database, tmp_path_factory.mktemp("bot")).start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh_calls(request):
    if "slack" in request.fixturenames:
        request.getfixturevalue("slack").reset()


@pytest.fixture(scope="module")
def identity():
    """The Entra ID stand-in the Teams bot and its tests get tokens from (one per test module)."""
    with Identity(client_id=APP_ID, client_secret=SECRET, tenant_id=TENANT) as server:
        yield server

