"""Configuration from the environment and an optional `.env` file (python-dotenv).

Every setting is documented in `.env.example`; the process environment wins over `.env`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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
    )
