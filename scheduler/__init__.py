"""Nudges: the academic calendar, nudge rules, the delivery ledger and the APScheduler wiring."""
