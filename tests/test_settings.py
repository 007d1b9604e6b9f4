import logging

import pytest

from bot.logs import configure_logging, student_text
from bot.settings import SettingsError, load_settings


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
