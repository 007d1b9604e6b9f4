"""`advisor teams package`: the Teams app package (manifest and icons) to sideload or upload to the catalogue."""

from __future__ import annotations

import argparse

from config.settings import Settings


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
