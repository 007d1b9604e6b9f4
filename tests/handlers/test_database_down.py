"""The database stops taking writes (a full or read-only disk): /health says so, nothing uncommitted is
acknowledged (Slack gets 503 and retries), and however often Slack retries, the student gets one apology; once
the database is back, a retry is answered. PostgreSQL, made read-only for the bot's sessions."""

from __future__ import annotations

import json
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from support.slack_driver import RunningBot, dm


def read_only(url: str, on: bool) -> None:
    """Every new session of the bot's database is read-only (or not), and its open sessions are ended."""
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        setting = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
        connection.execute(text(f'ALTER DATABASE "{name}" {setting}'))
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    admin.dispose()


def test_a_read_only_database_is_unhealthy_and_each_question_gets_one_apology(slack, postgres_url, isolated_env):
    bot = RunningBot(slack.url, postgres_url, isolated_env / "bot", extra_env={"NUDGES_ENABLED": "false"}).start()
    try:
        read_only(postgres_url, True)
        assert bot.get("/health").status == 503
        event = dm("U0DISK", "what is a RASA?")
        for retry in (None, 1, 2):  # Slack's first delivery and its retries
            assert bot.send_event(event, event_id="EvDiskFull", retry=retry).status == 503
            time.sleep(2.5)
        apologies = [call for call in slack.delivered("chat.postMessage") if "went wrong" in json.dumps(call.params)]
        assert len(apologies) == 1, [call.params.get("text") for call in slack.delivered("chat.postMessage")]
        read_only(postgres_url, False)
        assert bot.get("/health").status == 200
        assert bot.send_event(event, event_id="EvDiskFull", retry=3).status == 200
        slack.wait_for("chat.postMessage", count=2, timeout=20, where=lambda call: call.params["channel"] == "DU0DISK")
        assert "Residency Application Specialty Advisor" in json.dumps(slack.delivered("chat.postMessage")[-1].params)
    finally:
        bot.stop()
        read_only(postgres_url, False)
