"""Logging that says what happened without writing students' words into log files."""

from __future__ import annotations

import hashlib
import logging

from bot.settings import Settings

_show_student_text = False


def configure_logging(settings: Settings) -> None:
    global _show_student_text
    _show_student_text = settings.log_student_text
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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
