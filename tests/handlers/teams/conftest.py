"""The Teams stand-ins every Teams test file shares: the identity provider, the connector, a running bot."""

from __future__ import annotations

import pytest

from support.teams_driver import start_bot
from support.teams_stand_in import TeamsConnector


@pytest.fixture
def connector(identity):
    with TeamsConnector(require_token=identity.bot_token) as server:
        yield server


@pytest.fixture
def bot(identity, connector, database_url, isolated_env):
    running = start_bot(identity, connector, database_url, isolated_env)
    yield running
    running.stop()
