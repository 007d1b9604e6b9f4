"""`advisor teams package`: the Teams app package (manifest and icons) to sideload or upload to the catalogue."""

from __future__ import annotations

import argparse
from pathlib import Path

from config.settings import Settings

DEFAULT_PACKAGE = Path("dist/career-advisor-teams.zip")


def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.teams.package import PackageError, build_package

    teams = settings.teams
    try:
        path = build_package(teams.client_id, args.out, version=teams.app_version, developer_name=teams.app_developer,
                             website_url=teams.app_website, privacy_url=teams.app_privacy_url,
                             terms_url=teams.app_terms_url)
    except PackageError as error:
        print(f"advisor: no package written:\n{error}")
        return 2
    print(f"Wrote {path}. Upload it in Teams: Apps > Manage your apps > Upload an app.")
    return 0


def add_teams_commands(commands: argparse._SubParsersAction) -> None:
    teams = commands.add_parser("teams", help="Microsoft Teams tools")
    teams_commands = teams.add_subparsers(dest="teams_command", required=True)
    package = teams_commands.add_parser("package", help="zip the Teams app package (manifest and icons)")
    package.add_argument("--out", type=Path, default=DEFAULT_PACKAGE, help=f"where to write it ({DEFAULT_PACKAGE})")
    package.set_defaults(handler=cmd_teams_package)
