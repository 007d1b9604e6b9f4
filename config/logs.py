"""Logging that says what happened without writing students' words into log files."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from pathlib import Path

from config.settings import Settings

_show_student_text = False
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
REFUSAL_LOG_SECONDS = 60.0


class OneLineFormatter(logging.Formatter):
    """Control characters in a message are shown escaped, so text from a request (an id, a header) can never
    start a forged log line; tracebacks, which we write, keep their lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = _CONTROL.sub(lambda found: repr(found.group())[1:-1], record.message)
        return super().formatMessage(record)


class RefusalLog:
    """One warning per reason per minute for requests refused before they were verified, with how many were
    refused meanwhile: a flood of forged requests cannot fill the log, and nothing of their bodies is written."""

    def __init__(self, logger: logging.Logger, platform: str, every_seconds: float = REFUSAL_LOG_SECONDS):
        self.logger = logger
        self.platform = platform
        self.every = every_seconds
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def refused(self, reason: str, status: int = 401) -> None:
        now = time.monotonic()
        with self._lock:
            if now < self._next.get(reason, 0.0):
                self._quiet[reason] = self._quiet.get(reason, 0) + 1
                return
            self._next[reason] = now + self.every
            quiet = self._quiet.pop(reason, 0)
        also = f" ({quiet} more since the last such line)" if quiet else ""
        outcome = "acknowledged without acting on a request" if status < 300 else f"refused a request with {status}"
        self.logger.warning("%s: %s: %s%s", self.platform, outcome, reason, also)


def configure_logging(settings: Settings, to_file: Path | None = None) -> None:
    """Log lines to standard error, or to `to_file` (the console, whose terminal is the conversation)."""
    global _show_student_text
    _show_student_text = settings.log_student_text
    if to_file is not None:
        to_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(to_file, encoding="utf-8") if to_file else logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    level = logging.getLevelName(settings.log_level)
    for library in ("alembic", "sqlalchemy", "uvicorn.access"):
        logging.getLogger(library).setLevel(max(logging.WARNING, level))
    if not settings.log_student_text:
        # At DEBUG, Bolt and slack_sdk log whole request bodies, and so students' words.
        for library in ("slack_bolt", "slack_sdk"):
            logging.getLogger(library).setLevel(max(logging.INFO, level))


def student_text(text: str) -> str:
    """What a log line may show of a student's message: a length and a short digest by default.

    The digest lets an operator correlate lines about the same message without reading it.
    """
    if _show_student_text:
        return repr(text[:200])
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:10]
    return f"<{len(text)} chars #{digest}>"
