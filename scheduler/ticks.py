"""APScheduler wiring: every replica ticks; the sender lock inside `send_due` lets one of them act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.dispatch import Dispatcher

FIRST_TICK_DELAY = timedelta(seconds=5)  # let the bot finish starting before the first run


def start_ticks(dispatcher: Dispatcher, seconds: int, first_tick: timedelta = FIRST_TICK_DELAY) -> BackgroundScheduler:
    """Runs `dispatcher.tick` every `seconds` in a background thread; a slow run is never overlapped."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(dispatcher.tick, IntervalTrigger(seconds=seconds), id="nudges", coalesce=True,
                      max_instances=1, misfire_grace_time=seconds,
                      next_run_time=datetime.now(UTC) + first_tick)
    scheduler.start()
    return scheduler
