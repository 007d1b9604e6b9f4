"""Entry point of the `advisor` console script: thin wiring, the work is in bot/, knowledge/, handlers/."""

from __future__ import annotations

import logging
import sys

from bot import cli
from bot.settings import Settings

log = logging.getLogger("advisor")


def serve_platforms(settings: Settings) -> int:
    """Serve Slack in the mode its credentials select, until stopped."""
    from bot.services import build_core
    from handlers import slack, web
    from handlers.slack import http
    from handlers.slack.recovery import Recovery

    core = build_core(settings)
    slack_app = slack.build_app(settings, core)
    Recovery(slack_app, core, interval_seconds=min(30.0, settings.event_lease_seconds / 2)).start()
    if settings.nudges_enabled:
        from bot.services import build_dispatcher
        from scheduler.ticks import start_ticks

        start_ticks(build_dispatcher(settings, nudge_messenger(settings), core.advisor.kb), settings.nudge_tick_seconds)
        log.info("Nudges: checking every %d s", settings.nudge_tick_seconds)
    if settings.slack_mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Slack: Socket Mode")
        SocketModeHandler(slack_app, settings.slack_app_token).start()
        return 0
    log.info("Slack: HTTP mode, events at %s", http.EVENTS_PATH)
    web.serve(web.web_app(http.routes(slack_app), core.healthy), settings.host, settings.port)
    return 0


def nudge_messenger(settings: Settings):
    """Slack as the nudge dispatcher's messenger, paced to the configured rate limits."""
    from handlers.slack.client import web_client
    from handlers.slack.courier import SlackMessenger
    from handlers.slack.pacing import Pacer

    return SlackMessenger(web_client(settings, retry_rate_limits=False),
                          Pacer(settings.slack_post_rate, settings.slack_channel_post_rate))


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, serve_platforms=serve_platforms, nudge_messenger=nudge_messenger)


if __name__ == "__main__":
    sys.exit(main())
