"""Runs every Python process of a test run on one fake, ticking clock, when ADVISOR_FAKE_TIME is set.

`scripts/test.sh --at 2026-12-02T23:30:00-05:00` puts this folder on PYTHONPATH with ADVISOR_FAKE_TIME (the
moment) and ADVISOR_FAKE_TIME_FROM (the real time.time() when the run began): pytest and every bot, send-due
and benchmark process it starts travel to the moment plus the real time elapsed since, so they all agree on
the time (signatures, tokens, leases) while the code under test believes it is that weekday, hour or day of a
daylight-saving change. time-machine patches the wall clock only (time.time, datetime.now...); monotonic
clocks stay real, so timeouts and sleeps behave.
"""

import os

if os.environ.get("ADVISOR_FAKE_TIME"):
    import time
    from datetime import datetime, timedelta

    import time_machine

    _moment = datetime.fromisoformat(os.environ["ADVISOR_FAKE_TIME"])
    _elapsed = time.time() - float(os.environ.get("ADVISOR_FAKE_TIME_FROM") or time.time())
    time_machine.travel(_moment + timedelta(seconds=_elapsed), tick=True).start()
