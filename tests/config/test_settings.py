import logging
import re
from pathlib import Path

import pytest

from config.logs import configure_logging, student_text
from config.settings import SettingsError, load_settings


def test_defaults_put_sqlite_in_the_data_directory(isolated_env):
    settings = load_settings(env_file=None)
    assert settings.database_url == f"sqlite:///{isolated_env / 'data' / 'advisor.db'}"
    assert settings.declined_retention_days == 180
    assert settings.log_student_text is False
    assert settings.institution_timezone == "America/New_York"


def test_dotenv_is_read_and_the_environment_wins(isolated_env, monkeypatch):
    (isolated_env / ".env").write_text("DECLINED_QUESTION_RETENTION_DAYS=7\nLOG_LEVEL=debug\n")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    settings = load_settings(env_file=isolated_env / ".env")
    assert settings.declined_retention_days == 7
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(("name", "value"), [("DECLINED_QUESTION_RETENTION_DAYS", "soon"),
                                             ("DECLINED_QUESTION_RETENTION_DAYS", "-1"), ("LOG_LEVEL", "LOUD")])
def test_bad_values_are_named(isolated_env, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings(env_file=None)


def test_logs_show_a_digest_not_the_students_words(isolated_env):
    configure_logging(load_settings(env_file=None))
    shown = student_text("I failed step 1 and feel awful")
    assert "step" not in shown and "chars" in shown
    assert student_text("I failed step 1 and feel awful") == shown


def test_declines_are_logged_without_the_question(advisor, caplog):
    with caplog.at_level(logging.INFO):
        advisor.reply("my private worry about money and parking")
    assert caplog.records and all("worry" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("credentials", "mode"), [
    ({}, None),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "http"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, "socket"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}, "socket"),
])
def test_the_slack_mode_follows_the_credentials(isolated_env, monkeypatch, credentials, mode):
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    assert load_settings(env_file=None).slack_mode == mode


@pytest.mark.parametrize("credentials", [{"SLACK_BOT_TOKEN": "xoxb-1"}, {"SLACK_SIGNING_SECRET": "s"},
                                         {"SLACK_APP_TOKEN": "xapp-1"}])
def test_incomplete_slack_credentials_say_what_is_missing(isolated_env, monkeypatch, credentials):
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="SLACK_"):
        _ = load_settings(env_file=None).slack_mode


def test_secrets_never_appear_in_the_settings_repr(isolated_env, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret-value")
    shown = repr(load_settings(env_file=None))
    assert "xoxb-secret-token" not in shown and "signing-secret-value" not in shown


def test_the_slack_api_url_gets_its_trailing_slash(isolated_env, monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "https://slack-gov.com/api")
    assert load_settings(env_file=None).slack_api_url == "https://slack-gov.com/api/"
    monkeypatch.setenv("SLACK_API_URL", "slack-gov.com/api")
    with pytest.raises(SettingsError, match="SLACK_API_URL"):
        load_settings(env_file=None)


def test_nudge_senders_are_sized_from_the_post_rate(isolated_env, monkeypatch):
    from cli.services import send_workers

    monkeypatch.setenv("SLACK_POST_RATE", "50")
    assert send_workers(load_settings(None)) == 18
    monkeypatch.setenv("SLACK_POST_RATE", "4")
    assert send_workers(load_settings(None)) == 2
    monkeypatch.setenv("NUDGE_SEND_WORKERS", "6")
    assert send_workers(load_settings(None)) == 6
    monkeypatch.setenv("QUIET_HOURS", "late at night")
    with pytest.raises(SettingsError, match="QUIET_HOURS"):
        load_settings(None)


TEAMS_APP = "6f1c2b7e-0d4a-4c1e-9a57-3b2f8e9d1a01"


@pytest.mark.parametrize(("env", "message"), [
    ({"TEAMS_ALLOW_UNAUTHENTICATED": "true", "TEAMS_CLIENT_ID": TEAMS_APP}, "refused"),
    ({"TEAMS_CLIENT_ID": TEAMS_APP, "TEAMS_TENANT_ID": TEAMS_APP}, "TEAMS_CLIENT_SECRET"),
    ({"TEAMS_CLIENT_ID": "bot", "TEAMS_CLIENT_SECRET": "s", "TEAMS_TENANT_ID": TEAMS_APP}, "GUID"),
    ({"TEAMS_CLOUD": "mars"}, "TEAMS_CLOUD"),
])
def test_teams_settings_that_cannot_work_are_refused(isolated_env, monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message):
        load_settings(None)


def test_teams_is_off_until_credentials_or_the_local_switch(isolated_env, monkeypatch):
    assert not load_settings(None).teams.enabled
    monkeypatch.setenv("TEAMS_ALLOW_UNAUTHENTICATED", "true")
    settings = load_settings(None)
    assert settings.teams.enabled and settings.teams.port == 3978


def test_every_setting_the_bot_reads_is_named_once_and_documented_in_the_env_example():
    from config import settings, teams
    from config.settings import SETTING_NAMES
    from tests.conftest import ROOT

    sources = Path(settings.__file__).read_text() + Path(teams.__file__).read_text()
    read = set(re.findall(r"\(\s*\"([A-Z][A-Z0-9_]{3,})\"", sources))
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read == SETTING_NAMES, read ^ SETTING_NAMES
    assert documented >= SETTING_NAMES, SETTING_NAMES - documented
