"""200 signed DMs at once to the running bot's HTTP endpoint, against the loopback Slack API stand-in.

    python -m benchmarks.slack_load [--students 200] [--latency 0.02] [--database-url URL]

Measures the acknowledgement (what Slack waits for, 3 s at most) and the time from sending the event
to the answer reaching the Slack API, checks that every student is answered exactly once, then
redelivers all of them as Slack retries and checks nobody is answered twice. Reports the bot's RSS.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.burst import Prepared, send_together
from benchmarks.speed import percentile
from knowledge.evaluation import load_cases
from support.harness import DEV_QUESTIONS
from support.slack_driver import RunningBot, dm, event_envelope, signature_headers
from support.slack_stand_in import SlackStandIn

SLACK_ACK_LIMIT = 3.0


def send_all(bot: RunningBot, envelopes: list[dict], retry: int | None = None) -> list[tuple[float, float, int]]:
    """Every event at the same instant from a separate process (benchmarks/burst.py): (sent_at, ack_s, status)."""
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    requests = []
    for envelope in envelopes:
        body = json.dumps(envelope).encode()
        requests.append(Prepared("/slack/events", body, {"Content-Type": "application/json",
                                                          **signature_headers(body), **headers}))
    return [(sent.at, sent.seconds, sent.status) for sent in send_together(bot.port, requests)]


def run(students: int, latency: float, database_url: str | None) -> dict:
    questions = [case.question for case in load_cases(DEV_QUESTIONS) if case.expect]
    with SlackStandIn(latency=latency) as slack, tempfile.TemporaryDirectory() as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'advisor.db'}"
        bot = RunningBot(slack.url, url, Path(scratch)).start()
        try:
            bot.send_event(dm("UWARMUP", "what is ERAS?"))
            slack.wait_for("chat.postMessage")
            slack.reset()
            envelopes = [event_envelope(dm(f"UL{n:04d}", questions[n % len(questions)])) for n in range(students)]
            sends = send_all(bot, envelopes)
            answers = slack.wait_for("chat.postMessage", count=students, timeout=120)
            time.sleep(1.0)
            first_round = slack.delivered("chat.postMessage")
            retries = send_all(bot, envelopes, retry=1)
            time.sleep(2.0)
            rss = bot.rss_kib()
        finally:
            bot.stop()
    answered_at = {call.params["channel"]: call.at for call in answers}
    per_channel = Counter(call.params["channel"] for call in slack.delivered("chat.postMessage"))
    acks = [ack for _, ack, _ in sends]
    replies = [answered_at[envelope["event"]["channel"]] - sent_at
               for envelope, (sent_at, _, _) in zip(envelopes, sends, strict=True)
               if envelope["event"]["channel"] in answered_at]
    expected = {envelope["event"]["channel"] for envelope in envelopes}
    return {
        "students": students,
        "slack_api_latency_ms": latency * 1000,
        "database": url.split(":")[0],
        "ack_status": dict(Counter(status for _, _, status in sends)),
        "ack_p50_ms": percentile(acks, 0.5) * 1000,
        "ack_p99_ms": percentile(acks, 0.99) * 1000,
        "ack_max_ms": max(acks) * 1000,
        "acks_within_3s": sum(ack < SLACK_ACK_LIMIT for ack in acks),
        "reply_p50_ms": percentile(replies, 0.5) * 1000,
        "reply_p99_ms": percentile(replies, 0.99) * 1000,
        "answered": len(expected & set(per_channel)),
        "lost": len(expected - set(per_channel)),
        "answered_twice": sum(count > 1 for count in per_channel.values()),
        "answers_after_first_round": len(first_round),
        "retry_status": dict(Counter(status for _, _, status in retries)),
        "rss_mib": rss["VmRSS"] / 1024,
        "peak_rss_mib": rss["VmHWM"] / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02, help="stand-in Web API latency in seconds")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    figures = run(args.students, args.latency, args.database_url)
    print(json.dumps(figures, indent=2))
    ok = figures["lost"] == 0 and figures["answered_twice"] == 0 and figures["acks_within_3s"] == args.students
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
