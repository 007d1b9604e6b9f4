"""Entry point of the `advisor` console script: thin wiring, the work is in bot/, knowledge/, handlers/."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from cli import main as cli
from config.settings import Settings

log = logging.getLogger("advisor")
SERVICE_LEVEL_SECONDS = 60
STOP_SECONDS = 10  # from SIGTERM to exit, at most
ANSWER_GRACE_SECONDS = 5  # of those, how long answers already acknowledged get to finish


class Lifecycle:
    """What `advisor run` started, and how it stops: in order, within STOP_SECONDS of SIGTERM (or Ctrl-C).

    1. No new work: the servers stop accepting (Slack and Teams redeliver what they could not hand over),
       Socket Mode disconnects, recovery and the scheduler take nothing new, a nudge fan-out and the outbox
       stop between messages.
    2. Answers already acknowledged get ANSWER_GRACE_SECONDS; then no call to a platform starts, and every
       question still open is handed back to recovery at once (it looks for the answer first).
    3. Exit, whatever a platform call still in flight is doing: everything it could change is committed,
       handed back, or looked up by the next process.
    """

    def __init__(self):
        self.stop_taking: list[Callable[[], None]] = []
        self.threads: list[threading.Thread] = []
        self.drains: list[Callable[[float], list[str]]] = []
        self.finally_stop: list[Callable[[float], None]] = []
        self._requested = threading.Event()

    def run_in_background(self, name: str, target: Callable[[], object]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def wait_for_stop(self) -> None:
        for sign in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sign, lambda *_: self._requested.set())
        while not self._requested.wait(1.0):
            if any(not thread.is_alive() for thread in self.threads):  # a server died on its own
                log.error("a server stopped unexpectedly; shutting down")
                break

    def stop(self) -> None:
        started = time.monotonic()
        deadline = started + STOP_SECONDS - 1
        log.info("stopping: no new work; answers in progress get %d s", ANSWER_GRACE_SECONDS)
        for stop_taking in self.stop_taking:
            _safely(stop_taking)
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        log.info("stopping: nothing new is taken (%.1f s)", time.monotonic() - started)
        from scheduler.after_ack import SETTLE_SECONDS

        grace = max(0.0, min(ANSWER_GRACE_SECONDS, deadline - time.monotonic() - SETTLE_SECONDS))
        draining = [threading.Thread(target=_safely, args=(lambda drain=drain: self._drain(drain, grace),))
                    for drain in self.drains]
        for thread in draining:
            thread.start()
        for thread in draining:
            thread.join()
        for stop in self.finally_stop:
            _safely(lambda stop=stop: stop(max(0.0, deadline - time.monotonic())))
        log.info("stopped in %.1f s", time.monotonic() - started)


    @staticmethod
    def _drain(drain: Callable[[float], list[str]], grace: float) -> None:
        """A platform's pool (they drain side by side): its answers get `grace`, then SETTLE_SECONDS for the
        calls in flight once no new one may start."""
        still_open = drain(grace)
        if still_open:
            log.info("%d question(s) still being answered were handed back to recovery", len(still_open))


def _safely(step: Callable[[], object]) -> None:
    try:
        step()
    except Exception:  # one part failing to stop must not keep the others running
        log.exception("a part of the bot did not stop cleanly")


def serve_platforms(settings: Settings) -> int:
    """Serves every configured platform (Slack, Teams or both) with the shared scheduler jobs, until stopped."""
    from cli.services import build_core, build_dispatcher, build_service_level
    from scheduler.ticks import start_jobs

    core = build_core(settings)
    life = Lifecycle()
    slack_bot = build_slack(settings, core, life) if settings.slack_mode else None
    teams_bot = build_teams(settings, core, life) if settings.teams.enabled else None
    pacer = slack_pacer(settings)
    start_outbox(settings, core, pacer, teams_bot, life)
    service_level = build_service_level(settings, core.requests.requests, core.advisor.kb)
    jobs = {"alumni-requests": (service_level.tick, SERVICE_LEVEL_SECONDS)}
    if settings.nudges_enabled:
        dispatcher = build_dispatcher(settings, nudge_messenger(settings, pacer, teams_bot), core.advisor.kb)
        jobs["nudges"] = (dispatcher.tick, settings.nudge_tick_seconds)
        life.stop_taking.append(dispatcher.stop)
        log.info("Nudges: checking every %d s", settings.nudge_tick_seconds)
    if teams_bot:
        jobs["teams-recovery"] = (lambda: teams_bot.recover(core), max(1, min(30, settings.event_lease_seconds // 2)))
    scheduler = start_jobs(jobs)
    life.stop_taking.insert(0, lambda: scheduler.shutdown(wait=False))
    if teams_bot:
        serve_teams(settings, teams_bot, life)
    if slack_bot:
        serve_slack(settings, core, slack_bot, life)
    life.wait_for_stop()
    life.stop()
    logging.shutdown()
    os._exit(0)  # nothing left to wait for: a platform call still in flight is covered by recovery


def build_slack(settings: Settings, core, life: Lifecycle):
    from handlers import slack
    from handlers.slack.recovery import Recovery

    bot = slack.build_app(settings, core)
    recovery = Recovery(bot.app, core, interval_seconds=min(30.0, settings.event_lease_seconds / 2)).start()
    life.stop_taking.append(recovery.stop)
    life.drains.append(bot.work.close)
    return bot


def serve_slack(settings: Settings, core, slack_bot, life: Lifecycle) -> None:
    from handlers import web
    from handlers.slack import http

    if settings.slack_mode == "socket":
        from handlers.slack.socket_mode import CheckedSocketModeHandler

        log.info("Slack: Socket Mode")
        handler = CheckedSocketModeHandler(slack_bot.app, settings.slack_app_token, settings.slack_api_url)
        handler.connect()
        # closing disconnects at once, then joins the client's threads for seconds: not worth waiting for
        life.stop_taking.insert(0, lambda: threading.Thread(target=handler.close, daemon=True).start())
        return
    log.info("Slack: HTTP mode, events at %s", http.EVENTS_PATH)
    endpoints = http.routes(slack_bot.app, settings.slack_signing_secret, settings.slack_api_url,
                            slack_bot.work.after.acknowledgements)
    server = web.server(web.web_app(endpoints, core.healthy), settings.host, settings.port)
    life.run_in_background("slack-server", server.run)
    life.stop_taking.insert(0, lambda: setattr(server, "should_exit", True))


def build_teams(settings: Settings, core, life: Lifecycle):
    from handlers.teams.bot import build_bot
    from store.conversations import TeamsConversations

    if settings.teams.allow_unauthenticated:
        log.warning("Teams: TEAMS_ALLOW_UNAUTHENTICATED=true; inbound requests are NOT authenticated "
                    "(local development only)")
    bot = build_bot(settings, core, TeamsConversations(core.profiles.engine))
    life.drains.append(lambda grace: bot.turns.after.close(grace, bot.sender.refuse))
    return bot


def serve_teams(settings: Settings, teams_bot, life: Lifecycle) -> None:
    log.info("Teams: activities at http://%s:%d/api/messages", settings.host, settings.teams.port)
    life.run_in_background("teams-server", teams_bot.serve)
    life.stop_taking.insert(0, lambda: setattr(teams_bot.server, "should_exit", True))


def slack_pacer(settings: Settings):
    """One pacer per process: nudges and the outbox share Slack's workspace rate limit."""
    from handlers.slack.pacing import Pacer

    return Pacer(settings.slack_post_rate, settings.slack_channel_post_rate)


def nudge_messenger(settings: Settings, pacer=None, teams_bot=None):
    """The nudge dispatcher's couriers: Slack (paced to its rate limits) and Teams, each when configured."""
    from knowledge.loader import load_copy
    from scheduler.routing import Messengers
    from store.recipients import SLACK, TEAMS

    copy = load_copy(settings.knowledge_dir)
    slack = None
    if settings.slack_bot_token:
        from handlers.slack.client import web_client
        from handlers.slack.nudge_courier import SlackNudgeCourier

        slack = SlackNudgeCourier(web_client(settings, retry_rate_limits=False), pacer or slack_pacer(settings), copy)
    teams = teams_messenger(settings, copy, teams_bot)
    return Messengers({SLACK: slack, TEAMS: teams}, {TEAMS: teams_addresses(settings, teams_bot)} if teams else None)


def teams_messenger(settings: Settings, copy, teams_bot=None):
    if not settings.teams.enabled:
        return None
    from handlers.teams.bot import build_sender
    from handlers.teams.nudge_courier import TeamsNudgeCourier

    return TeamsNudgeCourier(teams_bot.sender if teams_bot else build_sender(settings), copy)


def teams_addresses(settings: Settings, teams_bot=None):
    """Where Teams deliveries go (personal chats, service URLs), looked up by the delivery layer before the
    couriers are called, from the references the bot remembered."""
    from handlers.teams.addresses import TeamsAddresses
    from store.conversations import TeamsConversations
    from store.db import migrated_engine

    conversations = teams_bot.conversations if teams_bot else TeamsConversations(
        migrated_engine(settings.database_url))
    return TeamsAddresses(conversations, settings.teams.service_url)


def start_outbox(settings: Settings, core, pacer, teams_bot=None, life: Lifecycle | None = None) -> None:
    """Delivers alumni-request cards, notices and relays in the background, retrying until the platform takes them."""
    from cli.services import send_workers
    from scheduler.outbox_worker import OutboxWorker
    from scheduler.routing import Couriers
    from store.recipients import SLACK, TEAMS

    liaison_on_teams = bool(teams_bot and settings.teams.liaison_channel and not settings.alumni_liaison_channel)
    if not (settings.alumni_liaison_channel or settings.teams.liaison_channel):
        log.warning("Neither ALUMNI_LIAISON_CHANNEL nor TEAMS_LIAISON_CHANNEL is set: alumni requests are stored "
                    "and queued, and reach the liaison once one is")
    slack = None
    if settings.slack_mode:
        from handlers.slack.client import web_client
        from handlers.slack.outbox_courier import SlackOutboxCourier

        client = web_client(settings, retry_rate_limits=False, retry_server_errors=False)
        slack = SlackOutboxCourier(client, pacer, settings.alumni_liaison_channel, settings.institution_timezone,
                                   core.texts)
    teams = None
    if teams_bot:
        from handlers.teams.outbox_courier import TeamsOutboxCourier

        teams = TeamsOutboxCourier(teams_bot.sender, settings.teams.liaison_channel, settings.institution_timezone,
                                   core.texts)
    couriers = Couriers({SLACK: slack, TEAMS: teams}, TEAMS if liaison_on_teams else SLACK,
                        {TEAMS: teams_addresses(settings, teams_bot)} if teams else None)
    worker = OutboxWorker(core.requests.requests, couriers, workers=send_workers(settings)).start()
    if life:
        life.stop_taking.append(lambda: worker.stop(timeout=0))
        life.finally_stop.append(lambda left: worker.stop(timeout=left))


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, serve_platforms=serve_platforms, nudge_messenger=nudge_messenger)


if __name__ == "__main__":
    sys.exit(main())
