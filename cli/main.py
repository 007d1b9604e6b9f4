"""The `advisor` command line: parse, load the settings, then import and run only the chosen command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from cli.parser import parser
from config.settings import Settings, SettingsError, load_settings
from knowledge.errors import ContentError, InputError


def handler_of(args: argparse.Namespace) -> Callable[[argparse.Namespace, Settings], int]:
    module, _, name = args.handler.partition(":")
    return getattr(importlib.import_module(module), name)


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
        return handler_of(args)(args, settings)
    except (SettingsError, InputError) as error:
        print(f"advisor: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print("advisor: the knowledge base does not load:\n  " + "\n  ".join(error.problems)
              + "\nRun `advisor kb check` after fixing it.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
