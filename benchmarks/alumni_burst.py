"""500 alumni-advisor requests at once (`/advisor alumni ...`), then every card to the liaison channel, with and
without Slack failing in the middle.

    python -m benchmarks.alumni_burst [--requests 500] [--latency 0.02] [--channel-rate 1] [--workspace-rate 50]
                                      [--outage-seconds 30] [--scenario clean|outage|both] [--keep-gc] [--keep-logs]
                                      [--lose 20] [--database-url postgresql+psycopg://USER@HOST:PORT/DB]

The real bot (`advisor run`, HTTP mode) runs against the loopback Slack Web API stand-in (`support/slack_stand_in.py`),
which answers 429 above `--workspace-rate` chat.postMessage/s workspace-wide and `--channel-rate` per channel; the bot
gets the same limits as SLACK_POST_RATE and SLACK_CHANNEL_POST_RATE (it paces itself 5% under them). Each scenario
has a fresh bot and a fresh database (SQLite in a scratch folder, or with `--database-url` a database of its own
created on that PostgreSQL server and dropped afterwards).

`--requests` different students each file one request with a signed slash command, all released at the same
instant from one thread each in a separate (forked) process, like benchmarks/slack_load.py. Measured:

- the acknowledgement (the HTTP response to the command; Slack allows 3 s, and the request is committed before
  it): p50, p99, max, and how many were HTTP 200, inside 3 s and said "request #N";
- the rows in `alumni_request` right after the burst;
- the cards (chat.postMessage to ALUMNI_LIAISON_CHANNEL stamped with the outbox's metadata, text "Alumni-advisor
  request #N") that Slack took: how many, for how many distinct requests, duplicates, missing, and the time from
  releasing the burst to the last card.

Scenario **clean**: just the burst. Scenario **outage**: the same burst, and about 1 s after it is released the
stand-in answers every Web API call with HTTP 500 for `--outage-seconds`; it also reports the failed attempts seen
during the outage and the time from the outage's end to the next card (the outbox promises under 60 s).

One JSON summary per scenario is printed; the exit code is 1 if any acknowledgement was late or wrong, or any card
is missing or duplicated. The bot's log (`bot-<port>.log`) is kept, and its folder named, when that happens or with
`--keep-logs`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from benchmarks.nudge_fanout import fresh_database, quiet_collector
from benchmarks.speed import percentile
from store.db import make_engine
from support.slack_driver import RunningBot
from support.slack_stand_in import Call, SlackStandIn

SLACK_ACK_LIMIT = 3.0
LIAISON_CHANNEL = "C0LIAISON"
LIAISON = "U0LIAISON"
OUTBOX_EVENT = "advisor_outbox"
CARD_TITLE = re.compile(r"^Alumni-advisor request #(\d+)\b")
ACK_NUMBER = re.compile(r"request #(\d+)")
OUTAGE_AFTER = 1.0  # seconds after the burst is released
RECOVERY_LIMIT = 60.0
SETTLE = 5.0  # seconds to keep watching after the last card, for late duplicates
SPECIALTIES = ("dermatology", "orthopaedics", "pediatrics", "internal medicine", "emergency medicine", "radiology",
               "psychiatry", "general surgery", "neurology", "ophthalmology", "family medicine", "anesthesiology")
CITIES = ("Boston", "Seattle", "Chicago", "Providence", "Denver", "Atlanta", "Houston", "Minneapolis", "Portland",
          "San Diego", "Baltimore", "Nashville", "Philadelphia")


def descriptions(count: int) -> list[tuple[str, str]]:
    """(student user id, description): different students, each description different (and over 10 characters)."""
    return [(f"UAB{n:04d}", f"an alum in {SPECIALTIES[n % len(SPECIALTIES)]} in {CITIES[n % len(CITIES)]} "
                            f"for a call, request {n}") for n in range(count)]


# ----------------------------------------------------------------- the burst, from a separate process

def start_burst(port: int, response_url: str, students: list[tuple[str, str]]):
    """Forks the sender; returns (process, pipe to read its results from, shared release time)."""
    context = multiprocessing.get_context("fork")
    released = context.Value("d", 0.0)
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send_together, args=(port, response_url, students, released, sending),
                              daemon=True)
    process.start()
    sending.close()
    return process, receiving, released


def _send_together(port: int, response_url: str, students: list[tuple[str, str]], released, pipe) -> None:
    """Each command from its own thread, released together; sends back (sent_at, ack_seconds, status, text).

    CLOCK_MONOTONIC is system-wide on Linux, so these times compare with the stand-in's arrival times."""
    bot = RunningBot(api_url="", database_url="", data_dir=Path(), port=port)
    results: list[tuple[float, float, int, str]] = [(0.0, 0.0, 0, "")] * len(students)

    def release() -> None:
        released.value = time.monotonic()

    gate = threading.Barrier(len(students), action=release)

    def one(index: int) -> None:
        user, description = students[index]
        gate.wait()
        sent_at = time.monotonic()
        try:
            response = bot.send_command(user, "alumni " + description, response_url)
        except OSError as error:
            results[index] = (sent_at, time.monotonic() - sent_at, 0, f"{type(error).__name__}: {error}")
            return
        try:
            said = str(response.json().get("text", ""))
        except ValueError:
            said = response.body.decode(errors="replace")[:200]
        results[index] = (sent_at, response.elapsed, response.status, said)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(students))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipe.send(results)
    pipe.close()


# ----------------------------------------------------------------- one scenario

def is_card(call: Call) -> bool:
    metadata = call.params.get("metadata")
    return (call.params.get("channel") == LIAISON_CHANNEL and not call.params.get("thread_ts")
            and isinstance(metadata, dict) and metadata.get("event_type") == OUTBOX_EVENT
            and CARD_TITLE.match(str(call.params.get("text") or "")) is not None)


def card_number(call: Call) -> int:
    return int(CARD_TITLE.match(str(call.params["text"])).group(1))


def wait_for_cards(slack: SlackStandIn, numbers: set[int], timeout: float) -> float | None:
    """Until every number in `numbers` has a delivered card; the monotonic time that happened, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        carded = {card_number(call) for call in slack.delivered("chat.postMessage") if is_card(call)}
        if numbers <= carded:
            return time.monotonic()
        time.sleep(0.5)
    return None


def stored(url: str) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            rows = db.execute(text("SELECT count(*) FROM alumni_request")).scalar_one()
            ids = {row[0] for row in db.execute(text("SELECT id FROM alumni_request"))}
            without_card = db.execute(text("SELECT count(*) FROM alumni_request WHERE card_ts IS NULL")).scalar_one()
            outbox = dict(db.execute(text("SELECT kind || ':' || status, count(*) FROM outbox "
                                          "GROUP BY kind, status")).all())
            attempts = dict(db.execute(text("SELECT attempts, count(*) FROM outbox GROUP BY attempts")).all())
    finally:
        engine.dispose()
    return {"rows": rows, "ids": ids, "without_card_ts": without_card, "outbox": outbox,
            "outbox_attempts": {str(k): v for k, v in sorted(attempts.items())}}


def log_counts(log: str) -> dict:
    lines = log.splitlines()
    return {"errors": sum(" ERROR " in line or "Traceback" in line for line in lines),
            "warnings": sum(" WARNING " in line for line in lines),
            "outbox_runs_logged": sum("outbox: {" in line for line in lines)}


def run_scenario(kind: str, args: argparse.Namespace) -> dict:
    students = descriptions(args.requests)
    scratch = Path(tempfile.mkdtemp(prefix=f"alumni_burst-{kind}-"))
    figures: dict = {"scenario": kind, "requests": args.requests, "lose_every": args.lose}
    keep = args.keep_logs
    try:
        with fresh_database(args.database_url, scratch) as url, \
                SlackStandIn(latency=args.latency, workspace_rate=args.workspace_rate,
                             channel_rate=args.channel_rate) as slack:
            slack.members[LIAISON_CHANNEL] = [LIAISON, "U0ADVISOR"]
            env = {"NUDGES_ENABLED": "false", "ALUMNI_LIAISON_CHANNEL": LIAISON_CHANNEL,
                   "SLACK_POST_RATE": str(args.workspace_rate), "SLACK_CHANNEL_POST_RATE": str(args.channel_rate)}
            figures |= {"database": url.split(":")[0].split("+")[0], "slack_api_latency_ms": args.latency * 1000,
                        "workspace_rate": args.workspace_rate, "channel_rate": args.channel_rate}
            bot = RunningBot(slack.url, url, scratch / "bot", extra_env=env).start()
            try:
                with quiet_collector(args.keep_gc):
                    burst(kind, bot, slack, url, students, args, figures)
                figures["bot_rss_mib"] = round(bot.rss_kib()["VmRSS"] / 1024, 1)
            finally:
                bot.stop()
                figures["bot_log"] = log_counts(bot.log())
                log_path = bot.log_path
        ok = figures_ok(figures, args.requests)
        figures["ok"] = ok
        if not ok:
            keep = True
        if keep:
            figures["bot_log_path"] = str(log_path)
        return figures
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)


def burst(kind: str, bot: RunningBot, slack: SlackStandIn, url: str, students: list[tuple[str, str]],
          args: argparse.Namespace, figures: dict) -> None:
    # Warm up the command path without filing anything (a request would take number 1 and a card).
    assert bot.send_command("UWARMUP", "help", slack.response_url("warmup")).status == 200  # help is in the ack
    time.sleep(0.5)
    slack.reset()
    slack.lose_answers(args.lose)  # after the reset, which forgets it

    process, results_pipe, released = start_burst(bot.port, slack.response_url("x"), students)
    outage = None
    if kind == "outage":
        while released.value == 0.0:
            if not process.is_alive():
                raise RuntimeError("the sender process ended before releasing the burst")
            time.sleep(0.001)
        time.sleep(max(0.0, released.value + OUTAGE_AFTER - time.monotonic()))
        slack.outage(500)
        started = time.monotonic()
        time.sleep(args.outage_seconds)
        slack.outage(None)
        outage = (started, time.monotonic())
    sends = results_pipe.recv()
    process.join(30)
    burst_at = released.value
    figures["burst_sent_in_ms"] = round((max(s for s, _, _, _ in sends) - burst_at) * 1000, 1)

    acks = [ack for _, ack, _, _ in sends]
    numbers = [int(m.group(1)) for _, _, status, said in sends if status == 200 and (m := ACK_NUMBER.search(said))]
    good = sum(status == 200 and ack < SLACK_ACK_LIMIT and "request #" in said for _, ack, status, said in sends)
    figures |= {
        "ack_status": {str(k): v for k, v in Counter(status for _, _, status, _ in sends).items()},
        "ack_p50_ms": round(percentile(acks, 0.5) * 1000, 1),
        "ack_p99_ms": round(percentile(acks, 0.99) * 1000, 1),
        "ack_max_ms": round(max(acks) * 1000, 1),
        "acks_200_within_3s_with_request_number": good,
        "acks_over_3s": sum(ack >= SLACK_ACK_LIMIT for ack in acks),
        "distinct_request_numbers_in_acks": len(set(numbers)),
    }
    odd = [said for _, _, status, said in sends if status != 200 or "request #" not in said]
    if odd:
        figures["unexpected_acks"] = dict(Counter(odd).most_common(5))
    after_burst = stored(url)
    figures["rows_stored_after_burst"] = after_burst["rows"]

    expected = set(numbers) | after_burst["ids"]
    timeout = args.requests / (args.channel_rate * 0.95) * 1.5 + args.outage_seconds + 120
    done_at = wait_for_cards(slack, expected, timeout)
    time.sleep(SETTLE)
    attempts = slack.calls("chat.postMessage")
    delivered = slack.delivered("chat.postMessage")
    cards = [call for call in delivered if is_card(call)]
    distinct = {card_number(call) for call in cards}
    liaison_other = [call for call in delivered if call.params.get("channel") == LIAISON_CHANNEL and not is_card(call)]
    at_end = stored(url)
    figures |= {
        "cards_delivered": len(cards),
        "distinct_requests_carded": len(distinct),
        "duplicates": len(cards) - len(distinct),
        "duplicated_requests": sorted(n for n, c in Counter(card_number(call) for call in cards).items() if c > 1),
        "missing": args.requests - len(distinct & expected),
        "distinct_outbox_ids_on_cards": len({str(call.params["metadata"].get("event_payload")) for call in cards}),
        "burst_to_last_card_s": round(max(call.at for call in cards) - burst_at, 2) if cards else None,
        "burst_to_first_card_s": round(min(call.at for call in cards) - burst_at, 2) if cards else None,
        "all_carded_within_timeout": done_at is not None,
        "card_pace_per_s": round((len(cards) - 1) / (cards[-1].at - cards[0].at), 3) if len(cards) > 1 else None,
        "other_posts_to_liaison_channel": len(liaison_other),
        "post_attempts": len(attempts),
        "post_status": {str(k): v for k, v in sorted(Counter(call.status for call in attempts).items())},
        "rows_stored_at_end": at_end["rows"],
        "rows_without_card_ts_at_end": at_end["without_card_ts"],
        "outbox_at_end": at_end["outbox"],
        "outbox_attempts_at_end": at_end["outbox_attempts"],
    }
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(cards)]
    figures["card_gap_min_s"] = round(min(gaps), 3) if gaps else None
    accepted = [call.at for call in attempts if call.status == 200 and call.params.get("channel") == LIAISON_CHANNEL]
    limited = [call.at for call in attempts if call.status == 429]
    # Each 429: when (after the burst), and how long after the last post Slack had accepted in the channel.
    figures["429s_at_and_after_last_accepted_s"] = [
        [round(at - burst_at, 2), round(at - max((a for a in accepted if a < at), default=burst_at), 3)]
        for at in limited]
    if liaison_other:
        figures["other_posts_text"] = sorted({str(call.params.get("text"))[:60] for call in liaison_other})
    if outage is not None:
        start, end = outage
        during = [call for call in attempts if start <= call.at < end]
        after = [call.at for call in cards if call.at >= end]
        figures |= {
            "outage_s": round(end - start, 2),
            "outage_started_after_burst_s": round(start - burst_at, 2),
            "cards_before_outage": sum(call.at < start for call in cards),
            "failed_attempts_during_outage": sum(call.status != 200 for call in during),
            "failed_post_attempts_during_outage": sum(call.status != 200 for call in during
                                                      if call.method == "chat.postMessage"),
            "failed_by_method_during_outage": dict(Counter(call.method for call in during if call.status != 200)),
            "outage_end_to_next_card_s": round(min(after) - end, 2) if after else None,
        }
        gaps = sorted(itertools.pairwise(after), key=lambda pair: pair[1] - pair[0], reverse=True)[:3]
        figures["longest_gaps_after_outage_s"] = [[round(a - end, 2), round(b - a, 2)] for a, b in gaps]


def figures_ok(figures: dict, requests: int) -> bool:
    good = (figures.get("acks_200_within_3s_with_request_number") == requests
            and figures.get("rows_stored_after_burst") == requests
            and figures.get("duplicates") == 0 and figures.get("missing") == 0)
    if figures["scenario"] == "outage":
        recovery = figures.get("outage_end_to_next_card_s")
        good = good and recovery is not None and recovery < RECOVERY_LIMIT
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02, help="stand-in Web API latency in seconds")
    parser.add_argument("--channel-rate", type=float, default=1.0,
                        help="chat.postMessage/s per channel: the stand-in's limit and SLACK_CHANNEL_POST_RATE")
    parser.add_argument("--workspace-rate", type=float, default=50.0,
                        help="chat.postMessage/s workspace-wide: the stand-in's limit and SLACK_POST_RATE")
    parser.add_argument("--outage-seconds", type=float, default=30.0)
    parser.add_argument("--scenario", choices=("clean", "outage", "both"), default="both")
    parser.add_argument("--database-url", help="a PostgreSQL server to create fresh databases on (default: SQLite)")
    parser.add_argument("--keep-gc", action="store_true",
                        help="leave this process's garbage collector on (its pauses stall the stand-in)")
    parser.add_argument("--keep-logs", action="store_true", help="keep each scenario's folder with the bot's log")
    parser.add_argument("--lose", type=int, metavar="N",
                        help="the stand-in carries out every N-th post and loses its answer (a 504): 0 duplicates")
    args = parser.parse_args()
    kinds = ("clean", "outage") if args.scenario == "both" else (args.scenario,)
    all_ok = True
    for kind in kinds:
        figures = run_scenario(kind, args)
        print(json.dumps(figures, indent=2), flush=True)
        all_ok = all_ok and figures["ok"]
    if not all_ok:
        print("alumni_burst: a scenario failed its checks (see the JSON above)", file=sys.stderr)
    raise SystemExit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
