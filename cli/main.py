"""The `advisor` command line: ask, chat, run and the curators' kb tools (roster and nudges: cli_nudges)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable

from cli.nudges import add_nudge_commands
from cli.requests import add_request_commands
from cli.teams import add_teams_commands
from config.settings import Settings, SettingsError, load_settings
from knowledge.context import InputError, StudentContext, parse_date, parse_phase, parse_track
from knowledge.loader import ContentError


def _context_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phase", help="preclerkship, pce or post-pce")
    parser.add_argument("--track", help="pathways or hst")
    parser.add_argument("--date", help="answer as if today were YYYY-MM-DD (calendar questions)")


def _context(args: argparse.Namespace) -> StudentContext:
    return StudentContext(phase=parse_phase(args.phase), track=parse_track(args.track), today=parse_date(args.date))


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:
        yield line.rstrip("\n")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from cli.services import build_advisor

    context = _context(args)
    advisor = build_advisor(settings)
    for number, question in enumerate(_questions(args)):
        reply = advisor.reply(question, context)
        if args.json:
            print(json.dumps(reply.as_json(), ensure_ascii=False), flush=True)
        else:
            print(("\n" if number else "") + reply.text, flush=True)
    return 0


CONSOLE_USER = "local"  # the console's student: one per data directory
CONSOLE_LOG = "advisor.log"


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """The local console: the same core as Slack and Teams; log lines go to a file, never into the conversation."""
    from cli.services import build_core
    from config.logs import configure_logging
    from handlers.console.session import Console

    log_file = settings.data_dir / CONSOLE_LOG
    configure_logging(settings, to_file=log_file)
    overrides = _context(args)
    return Console(build_core(settings), CONSOLE_USER, overrides).run()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Starts the configured platforms; with none configured, the local console."""
    if (settings.slack_mode is not None or settings.teams.enabled) and args.serve_platforms is not None:
        return args.serve_platforms(settings)
    print("No Slack or Teams credentials are configured (nor TEAMS_ALLOW_UNAUTHENTICATED=true): starting the local "
          "console.", file=sys.stderr)
    return cmd_chat(args, settings)


def cmd_kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.checks import check_content

    problems = check_content(settings.knowledge_dir, stale_days=args.stale_days)
    errors = [p for p in problems if p.level == "error"]
    for problem in problems:
        print(problem)
    warnings = len(problems) - len(errors)
    print(f"{len(errors)} error(s), {warnings} warning(s)" if problems else "Content OK: no problems found.")
    return 1 if errors else 0


def cmd_kb_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.gaps import group_gaps
    from store.curation import DeclinedLog
    from store.db import migrated_engine

    log = DeclinedLog(migrated_engine(settings.database_url), settings.declined_retention_days)
    gaps = group_gaps(log.questions())[: args.limit]
    if args.json:
        print(json.dumps([{"count": g.count, "example": g.example, "questions": g.questions} for g in gaps],
                         ensure_ascii=False, indent=2))
        return 0
    if not gaps:
        print("No declined questions on record.")
    for gap in gaps:
        others = sorted(set(gap.questions) - {gap.example})[:3]
        print(f"{gap.count:5}  {gap.example}" + "".join(f"\n       · {q}" for q in others))
    return 0


def cmd_kb_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from store.db import migrated_engine
    from store.feedback import VoteLog

    summary = VoteLog(migrated_engine(settings.database_url)).summary()
    if args.json:
        print(json.dumps([vars(item) for item in summary], indent=2))
        return 0
    if not summary:
        print("No votes on record yet.")
    for item in summary:
        print(f"{item.not_helpful:5} not helpful {item.helpful:5} helpful  {item.entry_id}")
    return 0


def cmd_kb_export(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.loader import load_knowledge

    kb = load_knowledge(settings.knowledge_dir)
    items = [entry.model_dump(mode="json", exclude_none=True) for entry in kb.entries]
    print(json.dumps(items, ensure_ascii=False, indent=2))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="advisor", description="Career Planning advisor for medical students.")
    commands = root.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="answer a question (or one per line from standard input)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    _context_arguments(ask)
    ask.add_argument("question", nargs="*", help="the question; omit to read questions from standard input")
    ask.set_defaults(handler=cmd_ask)

    chat = commands.add_parser("chat", help="interactive console with the same brain")
    _context_arguments(chat)
    chat.set_defaults(handler=cmd_chat)

    run = commands.add_parser("run", help="start the bot on the configured platforms (console if none)")
    _context_arguments(run)
    run.set_defaults(handler=cmd_run)

    kb = commands.add_parser("kb", help="tools for the people who curate the content")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_commands.add_parser("check", help="validate the content; non-zero exit on errors")
    check.add_argument("--stale-days", type=int, default=365, help="warn when last_verified is older (365)")
    check.set_defaults(handler=cmd_kb_check)
    gaps = kb_commands.add_parser("gaps", help="declined questions grouped by similarity, most frequent first")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--limit", type=int, default=50)
    gaps.set_defaults(handler=cmd_kb_gaps)
    feedback = kb_commands.add_parser("feedback", help="Helpful / Not helpful votes per entry, most criticised first")
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(handler=cmd_kb_feedback)
    export = kb_commands.add_parser("export", help="all entries as JSON")
    export.set_defaults(handler=cmd_kb_export)
    add_nudge_commands(commands)
    add_request_commands(commands)
    add_teams_commands(commands)
    return root


def main(argv: list[str] | None = None, serve_platforms: Callable[[Settings], int] | None = None,
         nudge_messenger: Callable[[Settings], object] | None = None) -> int:
    """The platform parts come from app.py, the one place that knows the chat platforms (bot/ never imports them)."""
    args = parser().parse_args(argv)
    args.serve_platforms = serve_platforms
    args.nudge_messenger = nudge_messenger
    try:
        settings = load_settings()
        from config.logs import configure_logging

        configure_logging(settings)
        return args.handler(args, settings)
    except (SettingsError, InputError) as error:
        print(f"advisor: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print("advisor: the knowledge base does not load:\n  " + "\n  ".join(error.problems)
              + "\nRun `advisor kb check` after fixing it.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
