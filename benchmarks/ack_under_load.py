"""300 DMs and 100 slash commands at once, while Slack is slow, failing, or unreachable: every one acknowledged
within Slack's 3 s, and every one answered exactly once.

    python -m benchmarks.ack_under_load [--scenario slow|failing|unreachable|all] [--dms 300] [--commands 100]
                                        [--latency 0.15] [--outage 20] [--database-url POSTGRESQL_SERVER_URL]

The real bot (`advisor run`, HTTP mode) against the loopback Slack stand-in answering every Web API call in
`--latency` s. *slow*: nothing else. *failing*: from the release, every Web API call answers HTTP 500 for
`--outage` s. *unreachable*: for `--outage` s the stand-in's port refuses connections (the Web API and the
response_urls alike). Half the commands are `/advisor ask <question>` (answered through the response_url
after the ack), half `/advisor alumni <description>` (filed, with the receipt in the ack, and a card in the
liaison channel through the outbox). Exits 1 if an ack is late or not 200, or anything is missing or doubled.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.burst import Prepared, send_together
from benchmarks.nudge_fanout import fresh_database
from benchmarks.speed import percentile
from knowledge.evaluation import load_cases
from support.harness import DEV_QUESTIONS
from support.slack_driver import RunningBot, dm, event_envelope, signature_headers
from support.slack_stand_in import SlackStandIn

SLACK_ACK_LIMIT = 3.0
LIAISON_CHANNEL = "C0LIAISON"
SETTLE = 5.0
WAIT_FOR_ANSWERS = 240.0


def prepared(body: bytes, content_type: str) -> Prepared:
    return Prepared("/slack/events", body, {"Content-Type": content_type, **signature_headers(body)})


def requests(slack: SlackStandIn, dms: int, commands: int) -> tuple[list[Prepared], list[str], list[str], int]:
    """The burst: DMs from different students, then commands; with the DM channels and response names."""
    questions = [case.question for case in load_cases(DEV_QUESTIONS) if case.expect]
    burst, channels, responses = [], [], []
    for n in range(dms):
        envelope = event_envelope(dm(f"UAL{n:04d}", questions[n % len(questions)]))
        burst.append(prepared(json.dumps(envelope).encode(), "application/json"))
        channels.append(envelope["event"]["channel"])
    filings = 0
    for n in range(commands):
        asking = n % 2 == 0
        text = f"ask {questions[n % len(questions)]}" if asking else f"alumni an alum in dermatology, request {n}"
        form = {"command": "/advisor", "text": text, "user_id": f"UAC{n:04d}", "channel_id": "C0GENERAL",
                "team_id": "T0STANDIN", "response_url": slack.response_url(f"cmd{n}"), "trigger_id": f"t-{n}"}
        burst.append(prepared(urlencode(form).encode(), "application/x-www-form-urlencoded"))
        if asking:
            responses.append(f"respond/cmd{n}")
        else:
            filings += 1
    return burst, channels, responses, filings


def run(scenario: str, dms: int, commands: int, latency: float, outage: float, database_url: str | None) -> dict:
    with SlackStandIn(latency=latency) as slack, tempfile.TemporaryDirectory() as scratch, \
            fresh_database(database_url, Path(scratch)) as url:
        bot = RunningBot(slack.url, url, Path(scratch), extra_env={
            "NUDGES_ENABLED": "false", "ALUMNI_LIAISON_CHANNEL": LIAISON_CHANNEL, "LIAISON_USER_IDS": "U0LIAISON",
            "SLACK_POST_RATE": "200", "SLACK_CHANNEL_POST_RATE": "200"}).start()
        try:
            bot.send_event(dm("UWARMUP", "what is ERAS?"))
            slack.wait_for("chat.postMessage", timeout=30)
            slack.reset()
            burst, channels, responses, filings = requests(slack, dms, commands)
            if scenario == "failing":
                slack.outage(500)
            elif scenario == "unreachable":
                slack.refuse_connections(True)
            ended = threading.Event()
            outage_over = [0.0]

            def end_outage() -> None:
                time.sleep(outage)
                slack.outage(None)
                slack.refuse_connections(False)
                outage_over[0] = time.monotonic()
                ended.set()

            if scenario != "slow":
                threading.Thread(target=end_outage, daemon=True).start()
            sent = send_together(bot.port, burst)
            if scenario != "slow":
                ended.wait()
            deadline = time.monotonic() + WAIT_FOR_ANSWERS
            while time.monotonic() < deadline and not everything_arrived(slack, channels, responses, filings):
                time.sleep(0.5)
            last = max((call.at for call in slack.delivered()), default=0.0)
            time.sleep(SETTLE)
            rss = bot.rss_kib()
        finally:
            bot.stop()
    return figures(scenario, slack, sent, channels, responses, filings, latency, url, outage_over[0], last, rss)


def everything_arrived(slack: SlackStandIn, channels: list[str], responses: list[str], filings: int) -> bool:
    posts = slack.delivered("chat.postMessage")
    answered = {call.params["channel"] for call in posts}
    cards = [call for call in posts if call.params.get("channel") == LIAISON_CHANNEL]
    responded = {call.method for call in slack.delivered() if call.method.startswith("respond/")}
    return set(channels) <= answered and set(responses) <= responded and len(cards) >= filings


def figures(scenario, slack, sent, channels, responses, filings, latency, url, outage_over, last, rss) -> dict:
    acks = [result.seconds for result in sent]
    posts = slack.delivered("chat.postMessage")
    per_dm = Counter(call.params["channel"] for call in posts if call.params["channel"] in set(channels))
    cards = Counter(call.params["metadata"]["event_payload"]["outbox"] for call in posts
                    if call.params.get("channel") == LIAISON_CHANNEL)
    per_response = Counter(call.method for call in slack.delivered() if call.method in set(responses))
    receipts = sum(b"is with the Alumni Liaison" in result.body for result in sent[len(channels):])
    return {
        "scenario": scenario, "database": url.split(":")[0], "slack_api_latency_ms": latency * 1000,
        "dms": len(channels), "commands": len(sent) - len(channels),
        "ack_status": dict(Counter(result.status for result in sent)),
        "ack_p50_ms": round(percentile(acks, 0.5) * 1000), "ack_p99_ms": round(percentile(acks, 0.99) * 1000),
        "ack_max_ms": round(max(acks) * 1000),
        "acks_ok_within_3s": sum(result.status == 200 and result.seconds < SLACK_ACK_LIMIT for result in sent),
        "dms_answered": len(per_dm), "dms_answered_twice": sum(n > 1 for n in per_dm.values()),
        "asks_answered": len(per_response), "asks_answered_twice": sum(n > 1 for n in per_response.values()),
        "filings_receipted_in_ack": receipts, "cards": len(cards), "cards_twice": sum(n > 1 for n in cards.values()),
        "outage_end_to_last_delivery_s": round(last - outage_over, 1) if outage_over else None,
        "failed_calls_seen": sum(call.status != 200 for call in slack.calls()),
        "rss_mib": round(rss["VmRSS"] / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("slow", "failing", "unreachable", "all"), default="all")
    parser.add_argument("--dms", type=int, default=300)
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.15, help="stand-in Web API latency in seconds")
    parser.add_argument("--outage", type=float, default=20.0, help="seconds Slack fails or refuses connections")
    parser.add_argument("--database-url", help="a PostgreSQL server to create a fresh database on (default: SQLite)")
    args = parser.parse_args()
    scenarios = ("slow", "failing", "unreachable") if args.scenario == "all" else (args.scenario,)
    ok = True
    for scenario in scenarios:
        result = run(scenario, args.dms, args.commands, args.latency, args.outage, args.database_url)
        print(json.dumps(result), flush=True)
        total = result["dms"] + result["commands"]
        ok &= (result["acks_ok_within_3s"] == total and result["dms_answered"] == result["dms"]
               and not result["dms_answered_twice"] and not result["asks_answered_twice"]
               and result["cards"] == result["filings_receipted_in_ack"] and not result["cards_twice"])
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
