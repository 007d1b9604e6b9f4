"""APScheduler wiring: every replica ticks; locks and unique keys inside each job let one of them act."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

FIRST_TICK_DELAY = timedelta(seconds=5)  # let the bot finish starting before the first run


def start_jobs(jobs: dict[str, tuple[Callable[[], None], int]],
               first_tick: timedelta = FIRST_TICK_DELAY) -> BackgroundScheduler:
    """Runs each job (name: (function, every so many seconds)) in a background thread; a slow run is never
    overlapped by the next."""
    scheduler = BackgroundScheduler(timezone=UTC)
    for name, (job, seconds) in jobs.items():
        scheduler.add_job(job, IntervalTrigger(seconds=seconds), id=name, coalesce=True, max_instances=1,
                          misfire_grace_time=seconds, next_run_time=datetime.now(UTC) + first_tick)
    scheduler.start()
    return scheduler

