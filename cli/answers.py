"""`advisor ask`, `chat` and `run`: the advisor's answers from the command line, the console, or the platforms."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from config.settings import Settings
from knowledge.context import StudentContext, parse_date, parse_phase, parse_track


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
    from handlers.console.render import terminal

    context = _context(args)
    advisor = build_advisor(settings)
    for number, question in enumerate(_questions(args)):
        reply = advisor.reply(question, context)
        if args.json:
            print(json.dumps(reply.as_json(), ensure_ascii=False), flush=True)  # the Markdown as students get it
        else:
            print(("\n" if number else "") + terminal(reply.text, styled=sys.stdout.isatty()), flush=True)
    return 0


CONSOLE_USER = "local"  # the console's student: one per data directory
CONSOLE_LOG = "advisor.log"


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """The local console: the same core as Slack and Teams; log lines go to a file, never into the conversation."""
    from cli.services import build_core
    from config.logs import configure_logging
    from handlers.console.session import Console

    configure_logging(settings, to_file=settings.data_dir / CONSOLE_LOG)
    return Console(build_core(settings), CONSOLE_USER, _context(args)).run()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Starts the configured platforms; with none configured, the local console."""
    if (settings.slack_mode is not None or settings.teams.enabled) and args.serve_platforms is not None:
        return args.serve_platforms(settings)
    print("No Slack or Teams credentials are configured (nor TEAMS_ALLOW_UNAUTHENTICATED=true): starting the local "
          "console.", file=sys.stderr)
    return cmd_chat(args, settings)
