"""200 Teams activities at once to the running bot's /api/messages, against the loopback Bot Connector stand-in.

    python -m benchmarks.teams_burst [--activities 200] [--latency 0.02] [--database-url URL]
                                     [--resend] [--fail 429 [--fail-every 5] [--retry-after 1]]
                                     [--lose 20 [--lose-how gateway|drop|timeout]] [--keep-logs]

The real bot (`advisor run` with Teams credentials only, support/teams_driver.py) validates every activity's token
against the loopback identity provider (local JWKS) and posts its answers to the connector stand-in
(support/teams_stand_in.py), which requires the bot's own MSAL token and answers each call after `--latency`.
The database is a fresh SQLite file, or with `--database-url` a database of its own created on that PostgreSQL
server and dropped afterwards.

`--activities` different students each send one personal-chat question (the development set's in-scope questions
in turn, but for one the chat takes as the alumni command), with tokens minted beforehand, all released at the same
instant from one thread each in a separate (forked) process. The bot answers the HTTP request only after it has
posted the answer, so the *response* time is what the Bot Connector waits for (it gives up after 15 s); the *reply*
time is from sending the activity to the answer reaching the connector, which is when Teams shows it. From the
connector's records: every student's conversation must hold exactly one answer (none missing, none twice), and the
time from the release to the last answer.

`--resend`: afterwards every activity is POSTed again (same ids, as the connector retries); no new post may appear.
`--fail 429`: while the burst runs, about every `--fail-every`-th connector call answers 429 with Retry-After
`--retry-after` s (re-armed with TeamsConnector.fail_next after each failure is used); everyone must still be
answered exactly once.
`--lose 20`: every 20th answer the connector takes is lost on its way back (a 504, a dropped connection, or a
reply after the bot's 10 s attempt timeout). Teams keeps no history to look in, so the bot does not post again
at once and recovery answers those questions again 30 s later: everyone must be answered, and the duplicates
this costs (the at-least-once window, README) are counted against the answers lost.

Prints a JSON summary; exits 1 if a response failed or was over 15 s, or an answer is missing, doubled or an
apology. The bot's log is kept, and its folder named, when that happens, when it logged an error, or with
`--keep-logs`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from benchmarks.alumni_burst import log_counts
from benchmarks.nudge_fanout import fresh_database, quiet_collector
from benchmarks.speed import percentile
from bot.commands import ALUMNI_VERBS
from knowledge.evaluation import load_cases
from knowledge.loader import load_knowledge
from support.harness import DEV_QUESTIONS
from support.teams_driver import APP_ID, SECRET, TENANT, TeamsBot, card_of, person, personal
from support.teams_stand_in import Identity, TeamsConnector

CONNECTOR_TIMEOUT = 15.0  # the Bot Connector gives up on a bot after 15 s
FIRST_STUDENT = 10_000  # person() numbers of the burst's students (the warm-up student is below)
SETTLE = 3.0  # seconds to keep watching after the last answer (and after a resend), for late duplicates
LOST_SETTLE = 75.0  # with answers lost: past recovery's 30 s pause and a lease, for the second answers
ANSWER_WAIT = 180.0
T = TypeVar("T")


# ----------------------------------------------------------------- the burst, from a separate process

def release(bot: TeamsBot, activities: list[dict], tokens: list[str]) -> tuple[float, list[tuple]]:
    """POSTs every activity from its own thread of a forked process, all released at one instant.

    Returns (release time, [(sent_at, response_seconds, status, error)]). CLOCK_MONOTONIC is system-wide on Linux,
    so these times compare with the connector's arrival times."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send_together, args=(bot, activities, tokens, sending), daemon=True)
    process.start()
    sending.close()
    released, results = receiving.recv()
    process.join(30)
    return released, results


def _send_together(bot: TeamsBot, activities: list[dict], tokens: list[str], pipe) -> None:
    def post(index: int) -> tuple[float, float, int, str | None]:
        sent_at = time.monotonic()
        try:
            response = bot.send(activities[index], token=tokens[index], timeout=60.0)
        except OSError as error:
            return sent_at, time.monotonic() - sent_at, 0, f"{type(error).__name__}: {error}"
        return sent_at, response.elapsed, response.status, None

    pipe.send(all_at_once(len(activities), post))
    pipe.close()


def all_at_once(count: int, call: Callable[[int], T]) -> tuple[float, list[T]]:
    """call(0), ..., call(count - 1), each from a thread of its own, released together by a barrier.

    Returns the release time (time.monotonic()) and the results in order."""
    released: list[float] = []
    gate = threading.Barrier(count, action=lambda: released.append(time.monotonic()))

    def when_released(index: int) -> T:
        gate.wait()
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(when_released, range(count)))
    return released[0], results


@contextmanager
def failing_every(connector: TeamsConnector, status: int, every: int, retry_after: float):
    """About every `every`-th connector call answers `status`: one failure is armed; once a call has taken it,
    the next is armed `every` - 1 calls later."""
    stop = threading.Event()

    def failures(c: TeamsConnector) -> int:
        return sum(call.status == status for call in c.calls)

    def arm() -> None:
        while not stop.is_set():
            failed = failures(connector)
            connector.fail_next(status, retry_after=retry_after)
            connector.wait_for(lambda c, failed=failed: stop.is_set() or failures(c) > failed, timeout=ANSWER_WAIT)
            target = len(connector.calls) + every - 1
            connector.wait_for(lambda c, target=target: stop.is_set() or len(c.calls) >= target, timeout=ANSWER_WAIT)

    thread = threading.Thread(target=arm, name="fail-every", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


# ----------------------------------------------------------------- one run

def kind_of(call, apology: str) -> str:
    """apology (the copy sent when handling failed), decline (with Ask a person), form (the alumni intake card,
    for questions asking to be put in touch with an alum), or answer."""
    if str(call.body.get("text") or "")[:60] == apology[:60]:
        return "apology"
    try:
        card = card_of(call)
    except StopIteration:
        return "no card"
    if any(str(item.get("type", "")).startswith("Input.") for item in card.get("body", [])):
        return "form"
    actions = {action.get("data", {}).get("advisor") for action in card.get("actions", [])}
    return "decline" if "ask_person" in actions else "answer"


def answered(connector: TeamsConnector, conversations: list[str]) -> Counter:
    """Successful posts per student conversation."""
    wanted = set(conversations)
    return Counter(call.conversation_id for call in connector.sent() if call.conversation_id in wanted)


def programme_questions() -> list[str]:
    """The development set's in-scope questions, but for those a Teams personal chat takes as the alumni command
    ("alumni liaison?" files a request, or answers with an error and the form: two posts)."""
    return [case.question for case in load_cases(DEV_QUESTIONS)
            if case.expect and case.question.split(" ", 1)[0].lower() not in ALUMNI_VERBS]


def run(args: argparse.Namespace) -> dict:
    """One run in a scratch folder, removed afterwards unless the run failed, the bot logged an error or
    --keep-logs asks to keep it (then the bot's log is named in the figures)."""
    scratch = Path(tempfile.mkdtemp(prefix="teams_burst-"))
    try:
        figures = measure(args, scratch)
    except BaseException:
        print(f"teams_burst: the run broke off; the bot's log is in {scratch}", file=sys.stderr)
        raise
    figures["ok"] = figures_ok(figures, args)
    if args.keep_logs or not figures["ok"] or figures["bot_log"]["errors"]:
        figures["bot_log_path"] = str(next(scratch.glob("bot/bot-*.log"), scratch))
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return figures


def measure(args: argparse.Namespace, scratch: Path) -> dict:
    figures: dict = {"activities": args.activities, "connector_latency_ms": args.latency * 1000,
                     "resend": args.resend, "fail": args.fail}
    with fresh_database(args.database_url, scratch) as url, \
            Identity(client_id=APP_ID, client_secret=SECRET, tenant_id=TENANT) as identity, \
            TeamsConnector(latency=args.latency, require_token=identity.bot_token) as connector:
        figures["database"] = url.split(":")[0].split("+")[0]
        bot = TeamsBot(api_url="", database_url=url, data_dir=scratch / "bot", identity=identity,
                       connector=connector, extra_env={"NUDGES_ENABLED": "false"}).start()
        try:
            with quiet_collector(args.keep_gc):
                burst(bot, connector, programme_questions(), args, figures)
            figures |= {"jwks_fetches": identity.jwks_fetches, "bot_token_requests": len(identity.token_requests)}
            rss = bot.rss_kib()
            figures["bot_rss_mib"] = round(rss["VmRSS"] / 1024, 1)
            figures["bot_peak_rss_mib"] = round(rss["VmHWM"] / 1024, 1)
        finally:
            bot.stop()
            figures["bot_log"] = log_counts(bot.log())
    return figures


def burst(bot: TeamsBot, connector: TeamsConnector, questions: list[str], args: argparse.Namespace,
          figures: dict) -> None:
    # Warm up: the first activity fetches the JWKS and the bot's MSAL token, and loads the answer path.
    warm = personal(person(1), "What is ERAS?", service_url=connector.service_url)
    warm_response = bot.send(warm)
    figures["warm_up_response_ms"] = round(warm_response.elapsed * 1000, 1)
    time.sleep(0.5)
    before = len(connector.calls)

    activities = [personal(person(FIRST_STUDENT + n), questions[n % len(questions)],
                           service_url=connector.service_url) for n in range(args.activities)]
    conversations = [activity["conversation"]["id"] for activity in activities]
    students = set(conversations)
    apology = load_knowledge().smalltalk.apology
    tokens = [bot.token() for _ in activities]

    failing = failing_every(connector, args.fail, args.fail_every, args.retry_after) if args.fail else nullcontext()
    if args.lose:
        connector.lose_answers(args.lose, args.lose_how, delay=12.0)
    with failing:
        released, sends = release(bot, activities, tokens)
        everyone = connector.wait_for(lambda c: len(answered(c, conversations)) == len(conversations),
                                      timeout=ANSWER_WAIT)
    time.sleep(LOST_SETTLE if args.lose else SETTLE)  # lost answers come again after recovery's 30 s
    calls = connector.calls[before:]
    posts = [call for call in connector.sent() if call.conversation_id in students]
    first_post = {}
    for call in posts:
        first_post.setdefault(call.conversation_id, call.at)
    per_student = answered(connector, conversations)
    responses = [elapsed for _, elapsed, _, _ in sends]
    replies = [first_post[conversation] - sent_at
               for conversation, (sent_at, _, _, _) in zip(conversations, sends, strict=True)
               if conversation in first_post]
    figures |= {
        "sent_within_ms_of_release": round((max(sent_at for sent_at, _, _, _ in sends) - released) * 1000, 1),
        "response_status": {str(k): v for k, v in sorted(Counter(status for _, _, status, _ in sends).items())},
        "response_p50_ms": round(percentile(responses, 0.5) * 1000, 1),
        "response_p90_ms": round(percentile(responses, 0.9) * 1000, 1),
        "response_p99_ms": round(percentile(responses, 0.99) * 1000, 1),
        "response_max_ms": round(max(responses) * 1000, 1),
        "responses_200_within_15s": sum(status == 200 and elapsed < CONNECTOR_TIMEOUT
                                        for _, elapsed, status, _ in sends),
        "reply_p50_ms": round(percentile(replies, 0.5) * 1000, 1) if replies else None,
        "reply_p90_ms": round(percentile(replies, 0.9) * 1000, 1) if replies else None,
        "reply_p99_ms": round(percentile(replies, 0.99) * 1000, 1) if replies else None,
        "reply_max_ms": round(max(replies) * 1000, 1) if replies else None,
        "release_to_last_answer_s": round(max(first_post.values()) - released, 3) if first_post else None,
        "everyone_answered_within_wait": everyone,
        "answered_once": sum(count == 1 for count in per_student.values()),
        "missing": len(conversations) - len(per_student),
        "answered_twice_or_more": sum(count > 1 for count in per_student.values()),
        "extra_posts": sum(count - 1 for count in per_student.values() if count > 1),
        "reply_kinds": dict(Counter(kind_of(call, apology) for call in posts)),
        "connector_calls": dict(sorted(Counter(f"{call.method} {call.status}" for call in calls).items())),
        "posts_elsewhere": sum(call.status == 201 and call.conversation_id not in students for call in calls),
    }
    errors = [error for _, _, _, error in sends if error]
    if errors:
        figures["send_errors"] = dict(Counter(errors).most_common(5))
    if args.fail:
        failed = Counter(call.conversation_id for call in calls if call.status == args.fail)
        figures["connector_failures_scripted"] = sum(failed.values())
        figures["students_by_failures_on_their_post"] = {str(k): v for k, v in sorted(Counter(
            failed[conversation] for conversation in conversations).items())}
    if args.lose:
        figures["answers_lost"] = connector.answers_lost
    if args.resend:
        resend(bot, connector, activities, tokens, conversations, figures)


def resend(bot: TeamsBot, connector: TeamsConnector, activities: list[dict], tokens: list[str],
           conversations: list[str], figures: dict) -> None:
    """Every activity again, as the connector's retries: same ids, all at once; nobody may get a second answer."""
    before = len(connector.sent())
    _, sends = release(bot, activities, tokens)
    time.sleep(SETTLE)
    responses = [elapsed for _, elapsed, _, _ in sends]
    figures |= {
        "resend_status": {str(k): v for k, v in sorted(Counter(status for _, _, status, _ in sends).items())},
        "resend_response_p50_ms": round(percentile(responses, 0.5) * 1000, 1),
        "resend_response_p99_ms": round(percentile(responses, 0.99) * 1000, 1),
        "resend_response_max_ms": round(max(responses) * 1000, 1),
        "resend_new_posts": len(connector.sent()) - before,
        "answered_twice_or_more_after_resend": sum(count > 1 for count in answered(connector, conversations).values()),
    }


def figures_ok(figures: dict, args: argparse.Namespace) -> bool:
    if args.lose:  # at least once: nobody missing, at most one extra post per answer lost
        return (figures.get("missing") == 0 and figures.get("responses_200_within_15s") == args.activities
                and figures.get("extra_posts", 0) <= figures.get("answers_lost", 0))
    good = (figures.get("responses_200_within_15s") == args.activities
            and figures.get("answered_once") == args.activities
            and figures.get("missing") == 0 and figures.get("answered_twice_or_more") == 0
            and "apology" not in figures.get("reply_kinds", {}))
    if args.resend:
        good = good and figures.get("resend_new_posts") == 0 and figures.get("resend_status") == {
            "200": args.activities}
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02, help="connector stand-in latency in seconds")
    parser.add_argument("--database-url", help="a PostgreSQL server to create a fresh database on (default: SQLite)")
    parser.add_argument("--resend", action="store_true", help="afterwards, POST every activity again (same ids)")
    parser.add_argument("--fail", type=int, metavar="STATUS", help="make about every --fail-every-th connector "
                                                                    "call answer STATUS during the burst")
    parser.add_argument("--fail-every", type=int, default=5)
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds on the failures")
    parser.add_argument("--lose", type=int, metavar="N", help="lose the answer to every N-th post the connector takes")
    parser.add_argument("--lose-how", choices=("gateway", "drop", "timeout"), default="gateway")
    parser.add_argument("--keep-gc", action="store_true",
                        help="leave this process's garbage collector on (its pauses stall the stand-ins)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the run's folder with the bot's log")
    args = parser.parse_args()
    figures = run(args)
    print(json.dumps(figures, indent=2), flush=True)
    if not figures["ok"]:
        print("teams_burst: the run failed its checks (see the JSON above)", file=sys.stderr)
    raise SystemExit(0 if figures["ok"] else 1)


if __name__ == "__main__":
    main()
