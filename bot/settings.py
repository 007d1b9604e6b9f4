"""Configuration from the environment and an optional `.env` file (python-dotenv).

Every setting is documented in `.env.example`; the process environment wins over `.env`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

_TRUE = {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """A setting has a value the bot cannot use; the message names it."""


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip().lower() in _TRUE


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
    event_retention_days: int = 7
    event_lease_seconds: int = 120
    cohorts_file: Path | None = None

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
        event_retention_days=_integer("EVENT_RETENTION_DAYS", 7, minimum=1),
        event_lease_seconds=_integer("EVENT_LEASE_SECONDS", 120, minimum=1),
        cohorts_file=Path(os.environ.get("COHORTS_FILE", "").strip() or "cohorts.yaml"),
    )
