"""A small world for nudge tests: a roster, class channels, the loopback Slack stand-in and a real dispatcher.

The dispatcher is the one `advisor nudges send-due` and the scheduler's tick use, with the real Slack
messenger talking HTTP to the stand-in and a real SQLite or PostgreSQL database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app import nudge_messenger
from cli.services import build_dispatcher
from config.settings import Settings, load_settings
from knowledge.academic_calendar import load_academic_calendar
from scheduler.dispatch import Dispatcher
from scheduler.engine import Report
from store.db import migrated_engine
from store.ledger import Ledger
from store.recipients import Recipient
from store.roster import Roster, RosterRow
from support.slack_driver import ROOT, institution_today
from support.slack_stand_in import Call, SlackStandIn

BOT_TOKEN = "xoxb-stand-in"


def nudge_env(database_url: str, api_url: str, folder: Path, cohorts: dict[tuple[int, str], str]) -> dict[str, str]:
    """The environment a nudge sender needs: database, Slack stand-in, class channels; fast pacing for tests."""
    cohorts_file = folder / "cohorts.yaml"
    cohorts_file.write_text("cohorts:\n" + "".join(
        f"  - {{class_of: {year}, track: {track}, channel: {channel}}}\n"
        for (year, track), channel in cohorts.items()) if cohorts else "cohorts: []\n")
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": api_url,
            "COHORTS_FILE": str(cohorts_file), "SLACK_POST_RATE": "500", "SLACK_CHANNEL_POST_RATE": "500"}


def roster(database_url: str, students: dict[str, tuple[int, str]]) -> None:
    Roster(migrated_engine(database_url)).import_rows(
        [RosterRow(Recipient.parse(user), year, track) for user, (year, track) in students.items()])


@dataclass
class World:
    settings: Settings
    dispatcher: Dispatcher
    slack: SlackStandIn

    @property
    def ledger(self) -> Ledger:
        return self.dispatcher.ledger

    def run(self, when: str) -> Report:
        report = self.dispatcher.send_due(datetime.fromisoformat(when))
        assert report is not None, "the sender lock was held"
        return report

    def messages(self, to: str | None = None) -> list[Call]:
        return [call for call in self.slack.delivered("chat.postMessage")
                if to is None or call.params["channel"] == to]

    def per_target(self) -> Counter:
        return Counter(call.params["channel"] for call in self.messages())


def make_world(monkeypatch, database_url: str, slack: SlackStandIn, folder: Path,
               students: dict[str, tuple[int, str]], cohorts: dict[tuple[int, str], str] | None = None,
               **env: str) -> World:
    for name, value in {**nudge_env(database_url, slack.url, folder, cohorts or {}), **env}.items():
        monkeypatch.setenv(name, value)
    roster(database_url, students)
    settings = load_settings(None)
    return World(settings, build_dispatcher(settings, nudge_messenger(settings)), slack)


def send_due_process(env: dict[str, str], now: str, folder: Path) -> subprocess.Popen:
    """`advisor nudges send-due --now NOW --json` as its own process (killable with SIGKILL), output to a file."""
    folder.mkdir(parents=True, exist_ok=True)
    output = open(folder / f"send-due-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115 (the process owns it)
    return subprocess.Popen([sys.executable, str(ROOT / "app.py"), "nudges", "send-due", "--now", now, "--json"],
                            cwd=folder, env={**os.environ, "DATA_DIR": str(folder), **env},
                            stdout=output, stderr=subprocess.STDOUT)


def many_students(count: int, year: int = 2028, track: str = "pathways") -> dict[str, tuple[int, str]]:
    return {f"U{year}{track[0].upper()}{number:05d}": (year, track) for number in range(count)}


def class_in_pce_today() -> int:
    """The Pathways class in its PCE year today, whatever the date the suite runs on."""
    today = institution_today()
    calendar = load_academic_calendar()
    return next(year for year in range(today.year, today.year + 4)
                if (window := calendar.window_on(year, "pathways", today)) and window.phase == "pce")
