"""Entry point of the `advisor` console script: thin wiring, the work is in bot/, knowledge/, handlers/."""

from __future__ import annotations

import logging
import sys

from bot import cli
from bot.settings import Settings

log = logging.getLogger("advisor")
SERVICE_LEVEL_SECONDS = 60


def serve_platforms(settings: Settings) -> int:
    """Serves every configured platform (Slack, Teams or both) with the shared scheduler jobs, until stopped."""
    from bot.services import build_core, build_dispatcher, build_service_level
    from scheduler.ticks import start_jobs

    core = build_core(settings)
    slack_app = build_slack(settings, core) if settings.slack_mode else None
    teams_bot = build_teams(settings, core) if settings.teams.enabled else None
    pacer = slack_pacer(settings)
    start_outbox(settings, core, pacer, teams_bot)
    service_level = build_service_level(settings, core.requests.requests, core.advisor.kb)
    jobs = {"alumni-requests": (service_level.tick, SERVICE_LEVEL_SECONDS)}
    if settings.nudges_enabled:
        dispatcher = build_dispatcher(settings, nudge_messenger(settings, pacer, teams_bot), core.advisor.kb)
        jobs["nudges"] = (dispatcher.tick, settings.nudge_tick_seconds)
        log.info("Nudges: checking every %d s", settings.nudge_tick_seconds)
    if teams_bot:
        jobs["teams-recovery"] = (lambda: teams_bot.recover(core), max(1, min(30, settings.event_lease_seconds // 2)))
    start_jobs(jobs)
    if slack_app is None:
        log.info("Teams: activities at http://%s:%d/api/messages", settings.host, settings.teams.port)
        teams_bot.serve()
        return 0
    if teams_bot:
        log.info("Teams: activities at http://%s:%d/api/messages", settings.host, settings.teams.port)
        teams_bot.serve_in_background()
    return serve_slack(settings, core, slack_app)


def build_slack(settings: Settings, core):
    from handlers import slack
    from handlers.slack.recovery import Recovery

    bot = slack.build_app(settings, core)
    Recovery(bot.app, core, interval_seconds=min(30.0, settings.event_lease_seconds / 2)).start()
    return bot


def serve_slack(settings: Settings, core, slack_bot) -> int:
    slack_app = slack_bot.app
    from handlers import web
    from handlers.slack import http

    if settings.slack_mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Slack: Socket Mode")
        SocketModeHandler(slack_app, settings.slack_app_token).start()
        return 0
    log.info("Slack: HTTP mode, events at %s", http.EVENTS_PATH)
    endpoints = http.routes(slack_app, settings.slack_signing_secret)
    web.serve(web.web_app(endpoints, core.healthy), settings.host, settings.port)
    return 0


def build_teams(settings: Settings, core):
    from bot.teams_conversations import TeamsConversations
    from handlers.teams.bot import build_bot

    if settings.teams.allow_unauthenticated:
        log.warning("Teams: TEAMS_ALLOW_UNAUTHENTICATED=true; inbound requests are NOT authenticated "
                    "(local development only)")
    return build_bot(settings, core, TeamsConversations(core.profiles.engine))


def slack_pacer(settings: Settings):
    """One pacer per process: nudges and the outbox share Slack's workspace rate limit."""
    from handlers.slack.pacing import Pacer

    return Pacer(settings.slack_post_rate, settings.slack_channel_post_rate)


def nudge_messenger(settings: Settings, pacer=None, teams_bot=None):
    """The nudge dispatcher's messenger: Slack (paced to its rate limits) and Teams, each when configured."""
    from scheduler.routing import RoutedMessenger

    slack = None
    if settings.slack_bot_token:
        from handlers.slack.client import web_client
        from handlers.slack.courier import SlackMessenger

        slack = SlackMessenger(web_client(settings, retry_rate_limits=False), pacer or slack_pacer(settings))
    return RoutedMessenger(slack, teams_messenger(settings, teams_bot))


def teams_messenger(settings: Settings, teams_bot=None):
    if not settings.teams.enabled:
        return None
    from bot.db import migrated_engine
    from bot.teams_conversations import TeamsConversations
    from handlers.teams.bot import build_sender
    from handlers.teams.courier import TeamsMessenger

    if teams_bot is not None:
        return TeamsMessenger(teams_bot.sender, teams_bot.conversations, settings.teams.service_url)
    conversations = TeamsConversations(migrated_engine(settings.database_url))
    return TeamsMessenger(build_sender(settings), conversations, settings.teams.service_url)


def start_outbox(settings: Settings, core, pacer, teams_bot=None) -> None:
    """Delivers alumni-request cards, notices and relays in the background, retrying until the platform takes them."""
    from bot.services import send_workers
    from scheduler.outbox_worker import OutboxWorker
    from scheduler.routing import RoutedCourier

    liaison_on_teams = bool(teams_bot and settings.teams.liaison_channel and not settings.alumni_liaison_channel)
    if not (settings.alumni_liaison_channel or settings.teams.liaison_channel):
        log.warning("Neither ALUMNI_LIAISON_CHANNEL nor TEAMS_LIAISON_CHANNEL is set: alumni requests are stored "
                    "and queued, and reach the liaison once one is")
    slack = None
    if settings.slack_mode:
        from handlers.slack.client import web_client
        from handlers.slack.outbox_courier import SlackCourier

        client = web_client(settings, retry_rate_limits=False, retry_server_errors=False)
        slack = SlackCourier(client, pacer, core.requests.requests, settings.alumni_liaison_channel,
                             settings.institution_timezone)
    teams = None
    if teams_bot:
        from handlers.teams.alumni import TeamsCourier

        teams = TeamsCourier(teams_bot.sender, core.requests.requests, teams_bot.conversations,
                             settings.teams.liaison_channel, settings.teams.service_url, settings.institution_timezone)
    courier = RoutedCourier(slack, teams, core.requests.requests, liaison_on_teams)
    OutboxWorker(core.requests.outbox, courier, workers=send_workers(settings)).start()


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, serve_platforms=serve_platforms, nudge_messenger=nudge_messenger)


if __name__ == "__main__":
    sys.exit(main())
