"""The `advisor` command line's grammar. Each command names its handler as "module:function", imported only when
that command runs, so `advisor ask` does not pay for the database, the platforms or the alumni store."""

from __future__ import annotations

import argparse
from pathlib import Path

from store.request_states import STATUSES

DEFAULT_TEAMS_PACKAGE = Path("dist/career-advisor-teams.zip")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="advisor", description="Career Planning advisor for medical students.")
    commands = root.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="answer a question (or one per line from standard input)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    _context_arguments(ask)
    ask.add_argument("question", nargs="*", help="the question; omit to read questions from standard input")
    ask.set_defaults(handler="cli.answers:cmd_ask")

    chat = commands.add_parser("chat", help="interactive console with the same brain")
    _context_arguments(chat)
    chat.set_defaults(handler="cli.answers:cmd_chat")

    run = commands.add_parser("run", help="start the bot on the configured platforms (console if none)")
    _context_arguments(run)
    run.set_defaults(handler="cli.answers:cmd_run")

    kb = commands.add_parser("kb", help="tools for the people who curate the content")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_commands.add_parser("check", help="validate the content; non-zero exit on errors")
    check.add_argument("--stale-days", type=int, default=365, help="warn when last_verified is older (365)")
    check.set_defaults(handler="cli.kb:cmd_kb_check")
    gaps = kb_commands.add_parser("gaps", help="declined questions grouped by similarity, most frequent first")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--limit", type=int, default=50)
    gaps.set_defaults(handler="cli.kb:cmd_kb_gaps")
    feedback = kb_commands.add_parser("feedback", help="Helpful / Not helpful votes per entry, most criticised first")
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(handler="cli.kb:cmd_kb_feedback")
    export = kb_commands.add_parser("export", help="all entries as JSON")
    export.set_defaults(handler="cli.kb:cmd_kb_export")
    _nudge_commands(commands)
    _request_commands(commands)
    _teams_commands(commands)
    return root




def _context_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phase", help="preclerkship, pce or post-pce")
    parser.add_argument("--track", help="pathways or hst")
    parser.add_argument("--date", help="answer as if today were YYYY-MM-DD (calendar questions)")




def _nudge_commands(commands: argparse._SubParsersAction) -> None:
    roster = commands.add_parser("roster", help="the roster of students for personal nudges")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True)
    roster_import = roster_commands.add_parser(
        "import", help="upsert students from a CSV with columns slack_user_id,class_of,track (all or nothing)")
    roster_import.add_argument("file")
    roster_import.set_defaults(handler="cli.nudges:cmd_roster_import")
    nudges = commands.add_parser("nudges", help="the programme calendar's reminders to channels and students")
    nudges_commands = nudges.add_subparsers(dest="nudges_command", required=True)
    preview = nudges_commands.add_parser("preview", help="every message that would be sent between two dates")
    preview.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    preview.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (inclusive)")
    preview.add_argument("--json", action="store_true")
    preview.set_defaults(handler="cli.nudges:cmd_nudges_preview")
    send_due = nudges_commands.add_parser("send-due", help="send what is due and not yet sent (idempotent)")
    send_due.add_argument("--now", help="act as if it were this ISO datetime (default: now)")
    send_due.add_argument("--json", action="store_true", help="the run's counts as JSON")
    send_due.set_defaults(handler="cli.nudges:cmd_nudges_send_due")
    status = nudges_commands.add_parser("status", help="sent, pending and skipped messages per rule")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler="cli.nudges:cmd_nudges_status")


def _request_commands(commands: argparse._SubParsersAction) -> None:
    requests = commands.add_parser("requests", help="alumni-advisor requests (for the Alumni Liaison)")
    request_commands = requests.add_subparsers(dest="requests_command", required=True)
    listing = request_commands.add_parser("list", help="requests, oldest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler="cli.requests:cmd_requests_list")
    export = request_commands.add_parser("export", help="requests as CSV, for reporting")
    export.add_argument("--status", choices=STATUSES)
    export.add_argument("file", nargs="?", help="where to write (default: standard output)")
    export.set_defaults(handler="cli.requests:cmd_requests_export")
    show = request_commands.add_parser("show", help="one request with its audit trail and messages")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler="cli.requests:cmd_requests_show")


def _teams_commands(commands: argparse._SubParsersAction) -> None:
    teams = commands.add_parser("teams", help="Microsoft Teams tools")
    teams_commands = teams.add_subparsers(dest="teams_command", required=True)
    package = teams_commands.add_parser("package", help="zip the Teams app package (manifest and icons)")
    package.add_argument("--out", type=Path, default=DEFAULT_TEAMS_PACKAGE,
                         help=f"where to write it ({DEFAULT_TEAMS_PACKAGE})")
    package.set_defaults(handler="cli.teams:cmd_teams_package")
