"""`advisor roster` and `advisor nudges`: the staff's side of the programme calendar's reminders."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from config.settings import Settings, SettingsError
from knowledge.context import InputError, parse_date


def cmd_roster_import(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from store.db import migrated_engine
    from store.roster import Roster, RosterError, read_roster

    try:
        rows = read_roster(Path(args.file), datetime.now(ZoneInfo(settings.institution_timezone)).date())
    except RosterError as error:
        print(f"advisor: nothing imported; fix these rows of {args.file} and run it again:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    result = Roster(migrated_engine(settings.database_url)).import_rows(rows)
    print(f"Roster imported from {args.file}: {result.added} added, {result.updated} updated, "
          f"{result.unchanged} unchanged.")
    return 0


def cmd_nudges_preview(args: argparse.Namespace, settings: Settings) -> int:
    from cli.services import build_planner
    from store.db import migrated_engine
    from store.recipients import Recipient
    from store.roster import Roster

    start, end = parse_date(args.start), parse_date(args.end)
    if start is None or end is None or end < start:
        raise InputError("give --from and --to as YYYY-MM-DD, --to not before --from")
    planner = build_planner(settings)
    nudges = planner.plan(start, end, Roster(migrated_engine(settings.database_url)).by_class())
    if args.json:
        print(json.dumps([nudge.as_json() | {"channel": Recipient(nudge.platform, nudge.channel).stored}
                          for nudge in nudges], ensure_ascii=False, indent=2))
        return 0
    if not nudges:
        print(f"Nothing would be sent from {start} to {end}.")
    for nudge in nudges:
        first_line = nudge.text.splitlines()[0]
        target = Recipient(nudge.platform, nudge.channel).stored
        print(f"{nudge.send_at:%Y-%m-%d %H:%M %Z}  {target:<14} {nudge.nudge:<36} {first_line[:70]}")
    return 0


def _moment(text: str | None, timezone: str) -> datetime:
    """--now as an ISO datetime; without an offset it is read in the institution's time zone."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise InputError(f"--now must be an ISO date and time like 2027-06-01T10:00-04:00, got {text!r}") \
            from error
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def cmd_nudges_send_due(args: argparse.Namespace, settings: Settings) -> int:
    """Same code path as the scheduler's tick: plan, recover, check, send; safe to run again."""
    from cli.services import build_dispatcher

    now = _moment(args.now, settings.institution_timezone)
    if not (settings.slack_bot_token or settings.teams.enabled) or args.nudge_messenger is None:
        raise SettingsError("sending nudges needs SLACK_BOT_TOKEN or TEAMS_CLIENT_ID (use `advisor nudges preview` "
                            "to look first)")
    dispatcher = build_dispatcher(settings, args.nudge_messenger(settings))
    stop_on_signal(dispatcher.stop)
    report = dispatcher.send_due(now)
    if report is None:
        print("advisor: another sender (the running bot, or another send-due) is at work; nothing done. "
              "Run it again in a moment.", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        print(f"Nudges due by {now.isoformat()}: {report.sent} sent, {report.recovered} found already sent, "
              f"{report.deferred} waiting (quiet hours or weekly cap), {report.skipped + report.missed} skipped, "
              f"{report.failed} failed, {report.retrying} to retry.")
    return 1 if report.retrying else 0


def stop_on_signal(stop) -> None:
    """SIGTERM or Ctrl-C ends a fan-out between messages: what is in flight is recorded, the rest stays pending
    for the next run (which also looks up anything whose fate a killed process left open)."""
    for sign in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sign, lambda *_: stop())


def cmd_nudges_status(args: argparse.Namespace, settings: Settings) -> int:
    from store.db import migrated_engine
    from store.ledger import Ledger

    rules = Ledger(migrated_engine(settings.database_url)).status()
    if args.json:
        print(json.dumps([rule.as_json() for rule in rules], indent=2))
        return 0
    if not rules:
        print("No nudges on the ledger yet.")
        return 0
    print(f"{'nudge':<44} {'sent':>6} {'pending':>8} {'skipped':>8} {'failed':>7}  why skipped or failed")
    for rule in rules:
        why = ", ".join(f"{reason} {count}" for reason, count in sorted(rule.reasons.items()))
        print(f"{rule.nudge:<44} {rule.sent:>6} {rule.pending:>8} {rule.skipped:>8} {rule.failed:>7}  {why}")
    return 0
