"""Configuration from the environment and an optional `.env` file (python-dotenv).

Every setting is documented in `.env.example`; the process environment wins over `.env`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

from config.teams import TEAMS_SETTING_NAMES, TeamsSettings, TeamsSettingsError, load_teams_settings

_TRUE = {"1", "true", "yes", "on"}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_QUIET_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
# Every variable the bot reads (tests clear them all; .env.example documents them all).
SETTING_NAMES = TEAMS_SETTING_NAMES | frozenset({
    "ALUMNI_CHECK_IN_DAYS", "ALUMNI_DIGEST_TIME", "ALUMNI_LIAISON_CHANNEL", "ALUMNI_REMINDER_BUSINESS_DAYS",
    "ALUMNI_REQUEST_RETENTION_DAYS", "COHORTS_FILE", "DATABASE_URL", "DATA_DIR", "DECLINED_QUESTION_RETENTION_DAYS",
    "EVENT_LEASE_SECONDS", "EVENT_RETENTION_DAYS", "HOST", "INSTITUTION_TIMEZONE", "KNOWLEDGE_DIR",
    "LIAISON_USER_IDS", "LOG_LEVEL", "LOG_STUDENT_TEXT", "NUDGES_ENABLED", "NUDGE_RETENTION_DAYS",
    "NUDGE_SEND_WORKERS", "NUDGE_TICK_SECONDS", "NUDGE_WEEKLY_CAP", "PORT", "QUIET_HOURS",
    "SLACK_API_TIMEOUT_SECONDS", "SLACK_API_URL", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_CHANNEL_POST_RATE",
    "SLACK_POST_RATE", "SLACK_SIGNING_SECRET",
})


class SettingsError(ValueError):
    """A setting has a value the bot cannot use; the message names it."""


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip().lower() in _TRUE


def _rate(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as error:
        raise SettingsError(f"{name} must be a number of messages per second, got {raw!r}") from error
    if not 0 < value <= 1000:
        raise SettingsError(f"{name} must be above 0 and at most 1000, got {raw!r}")
    return value


def _quiet_hours() -> str:
    raw = os.environ.get("QUIET_HOURS", "21:00-08:00").strip().lower()
    if raw not in ("", "off") and not _QUIET_HOURS.match(raw):
        raise SettingsError(f"QUIET_HOURS must look like 21:00-08:00, or be off; got {raw!r}")
    return "off" if raw == "" else raw


def _ids(name: str) -> list[str]:
    """A comma- or space-separated list of platform user ids."""
    return [part for part in re.split(r"[\s,]+", os.environ.get(name, "")) if part]


def _clock(name: str, default: str) -> str:
    raw = os.environ.get(name, default).strip().lower() or default
    if raw != "off" and not _CLOCK.match(raw):
        raise SettingsError(f"{name} must be a time of day like 09:00, or off; got {raw!r}")
    return raw


def _integer(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from error
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    knowledge_dir: Path | None
    log_level: str
    log_student_text: bool
    declined_retention_days: int
    institution_timezone: str
    port: int = 3000
    host: str = "0.0.0.0"
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str | None = None
    slack_api_timeout_seconds: int = 10
    event_retention_days: int = 7
    event_lease_seconds: int = 120
    cohorts_file: Path | None = None
    nudges_enabled: bool = True
    quiet_hours: str = "21:00-08:00"
    nudge_weekly_cap: int = 3
    nudge_tick_seconds: int = 60
    nudge_send_workers: int = 0  # 0: enough for SLACK_POST_RATE at ~350 ms per call
    nudge_retention_days: int = 400
    slack_post_rate: float = 4.0
    slack_channel_post_rate: float = 1.0
    alumni_liaison_channel: str = ""
    liaison_user_ids: frozenset[str] = frozenset()
    alumni_reminder_business_days: int = 3
    alumni_digest_time: str = "09:00"
    alumni_check_in_days: int = 14
    alumni_request_retention_days: int = 730
    teams: TeamsSettings = field(default_factory=TeamsSettings)

    @property
    def slack_mode(self) -> str | None:
        """"socket", "http" or None (no Slack configured), from which credentials are present."""
        if not (self.slack_bot_token or self.slack_signing_secret or self.slack_app_token):
            return None
        if not self.slack_bot_token:
            raise SettingsError("SLACK_BOT_TOKEN is required when any other SLACK_* credential is set")
        if self.slack_app_token:
            return "socket"
        if not self.slack_signing_secret:
            raise SettingsError("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)")
        return "http"


def _api_url(name: str) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw if raw.endswith("/") else raw + "/"


def load_settings(env_file: str | os.PathLike[str] | None = ".env") -> Settings:
    if env_file and Path(env_file).is_file():
        load_dotenv(env_file, override=False)
    data_dir = Path(os.environ.get("DATA_DIR", "data")).expanduser()
    database_url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'advisor.db'}"
    knowledge_dir = os.environ.get("KNOWLEDGE_DIR", "").strip()
    log_level = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        knowledge_dir=Path(knowledge_dir) if knowledge_dir else None,
        log_level=log_level,
        log_student_text=_flag("LOG_STUDENT_TEXT", False),
        declined_retention_days=_integer("DECLINED_QUESTION_RETENTION_DAYS", 180),
        institution_timezone=os.environ.get("INSTITUTION_TIMEZONE", "America/New_York").strip(),
        port=_integer("PORT", 3000, minimum=0),
        host=os.environ.get("HOST", "").strip() or "0.0.0.0",
        slack_bot_token=os.environ.get("SLACK_BOT_TOKEN", "").strip(),
        slack_signing_secret=os.environ.get("SLACK_SIGNING_SECRET", "").strip(),
        slack_app_token=os.environ.get("SLACK_APP_TOKEN", "").strip(),
        slack_api_url=_api_url("SLACK_API_URL"),
        slack_api_timeout_seconds=_integer("SLACK_API_TIMEOUT_SECONDS", 10, minimum=1),
        event_retention_days=_integer("EVENT_RETENTION_DAYS", 7, minimum=1),
        event_lease_seconds=_integer("EVENT_LEASE_SECONDS", 120, minimum=1),
        cohorts_file=Path(os.environ.get("COHORTS_FILE", "").strip() or "cohorts.yaml"),
        nudges_enabled=_flag("NUDGES_ENABLED", True),
        quiet_hours=_quiet_hours(),
        nudge_weekly_cap=_integer("NUDGE_WEEKLY_CAP", 3),
        nudge_tick_seconds=_integer("NUDGE_TICK_SECONDS", 60, minimum=5),
        nudge_send_workers=_integer("NUDGE_SEND_WORKERS", 0),
        nudge_retention_days=_integer("NUDGE_RETENTION_DAYS", 400, minimum=30),
        slack_post_rate=_rate("SLACK_POST_RATE", 4.0),
        slack_channel_post_rate=_rate("SLACK_CHANNEL_POST_RATE", 1.0),
        alumni_liaison_channel=os.environ.get("ALUMNI_LIAISON_CHANNEL", "").strip(),
        liaison_user_ids=frozenset(_ids("LIAISON_USER_IDS")),
        alumni_reminder_business_days=_integer("ALUMNI_REMINDER_BUSINESS_DAYS", 3),
        alumni_digest_time=_clock("ALUMNI_DIGEST_TIME", "09:00"),
        alumni_check_in_days=_integer("ALUMNI_CHECK_IN_DAYS", 14, minimum=1),
        alumni_request_retention_days=_integer("ALUMNI_REQUEST_RETENTION_DAYS", 730, minimum=30),
        teams=_teams(),
    )


def _teams() -> TeamsSettings:
    try:
        return load_teams_settings(_flag, _integer, _ids)
    except TeamsSettingsError as error:
        raise SettingsError(str(error)) from error
