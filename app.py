"""Entry point of the `advisor` console script: thin wiring, the work is in bot/, knowledge/, handlers/."""

from __future__ import annotations

import logging
import sys

from bot import cli
from bot.settings import Settings

log = logging.getLogger("advisor")
SERVICE_LEVEL_SECONDS = 60


def serve_platforms(settings: Settings) -> int:
    """Serve Slack in the mode its credentials select, until stopped."""
    from bot.services import build_core, build_dispatcher, build_service_level
    from handlers import slack, web
    from handlers.slack import http
    from handlers.slack.recovery import Recovery
    from scheduler.ticks import start_jobs

    core = build_core(settings)
    slack_app = slack.build_app(settings, core)
    Recovery(slack_app, core, interval_seconds=min(30.0, settings.event_lease_seconds / 2)).start()
    pacer = slack_pacer(settings)
    start_outbox(settings, core, pacer)
    service_level = build_service_level(settings, core.requests.requests, core.advisor.kb)
    jobs = {"alumni-requests": (service_level.tick, SERVICE_LEVEL_SECONDS)}
    if settings.nudges_enabled:
        dispatcher = build_dispatcher(settings, nudge_messenger(settings, pacer), core.advisor.kb)
        jobs["nudges"] = (dispatcher.tick, settings.nudge_tick_seconds)
        log.info("Nudges: checking every %d s", settings.nudge_tick_seconds)
    start_jobs(jobs)
    if settings.slack_mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Slack: Socket Mode")
        SocketModeHandler(slack_app, settings.slack_app_token).start()
        return 0
    log.info("Slack: HTTP mode, events at %s", http.EVENTS_PATH)
    web.serve(web.web_app(http.routes(slack_app), core.healthy), settings.host, settings.port)
    return 0


def slack_pacer(settings: Settings):
    """One pacer per process: nudges and the outbox share Slack's workspace rate limit."""
    from handlers.slack.pacing import Pacer

    return Pacer(settings.slack_post_rate, settings.slack_channel_post_rate)


def nudge_messenger(settings: Settings, pacer=None):
    """Slack as the nudge dispatcher's messenger, paced to the configured rate limits."""
    from handlers.slack.client import web_client
    from handlers.slack.courier import SlackMessenger

    return SlackMessenger(web_client(settings, retry_rate_limits=False), pacer or slack_pacer(settings))


def start_outbox(settings: Settings, core, pacer) -> None:
    """Delivers alumni-request cards, notices and relays in the background, retrying until Slack takes them."""
    from bot.services import send_workers
    from handlers.slack.client import web_client
    from handlers.slack.outbox_courier import SlackCourier
    from scheduler.outbox_worker import OutboxWorker

    if not settings.alumni_liaison_channel:
        log.warning("ALUMNI_LIAISON_CHANNEL is not set: alumni requests are stored and queued, and reach the "
                    "liaison once it is")
    client = web_client(settings, retry_rate_limits=False, retry_server_errors=False)
    courier = SlackCourier(client, pacer, core.requests.requests, settings.alumni_liaison_channel,
                           settings.institution_timezone)
    OutboxWorker(core.requests.outbox, courier, workers=send_workers(settings)).start()


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, serve_platforms=serve_platforms, nudge_messenger=nudge_messenger)


if __name__ == "__main__":
    sys.exit(main())
