"""A personal nudge fanned out to 2,000 rostered students against Slack's rate limits; then killed midway and rerun.

    python -m benchmarks.nudge_fanout [--students 2000] [--latency 0.02] [--scenario both|clean|kill]
                                      [--workers N] [--kill-after 0.45] [--keep-gc] [--lose 20]
                                      [--database-url postgresql+psycopg://USER@HOST:PORT/DB]

`advisor nudges send-due --now 2026-06-01T10:05:00-04:00 --json` runs as its own process (the CiM survey retake
task is due to every class-of-2028 Pathways student then) against the loopback Slack Web API stand-in, which
enforces 50 chat.postMessage/s across the workspace and 1/s per channel (a 429 with Retry-After: 1 beyond that)
and answers every call after `--latency` seconds. The sender is configured with the same limits.

Scenarios, each on a fresh database:
- clean: one run to completion.
- kill: the sender gets SIGKILL once 45% of the students have been messaged (mid-batch: the sender reads 1,000
  due rows at a time), then a second send-due runs to completion (it first looks in Slack's history for the
  messages its predecessor sent but never recorded).

Pace is measured over the chat.postMessage stream, first to last delivered message of one sender process (before
that the sender spends a few seconds planning and looking up up to 50 users' time zones with users.info), and
compared with the 50/s limit. Exits 1 if any student is messaged twice or not at all, if a segment's pace is
under 0.9 of the limit, or if a sender that should finish does not exit 0.

With --lose N the stand-in carries out every N-th chat.postMessage and then loses its answer (a 504 from a
proxy): the sender must look each such post up by its metadata rather than post again (0 duplicates) and still
keep the pace.

With --database-url (a PostgreSQL server) each scenario creates a database of its own there and drops it after;
by default each scenario uses a new SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.db import migrated_engine
from store.ledger import Ledger
from support.databases import throwaway_postgres
from support.nudge_world import many_students, nudge_env, roster, send_due_process
from support.slack_stand_in import Call, SlackStandIn

NOW = "2026-06-01T10:05:00-04:00"  # the CiM survey retake task is due to every class-of-2028 Pathways student
WORKSPACE_RATE = 50
CHANNEL_RATE = 1
TARGET_RATIO = 0.9
POST = "chat.postMessage"
KILL_AFTER = 0.45  # of the students: mid-batch; at exactly 1,000 of 2,000 the kill would fall between two batches
SENDER_TIMEOUT = 600.0


@contextmanager
def fresh_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file in `folder`, or a database created on the PostgreSQL server."""
    if server_url is None:
        yield f"sqlite:///{folder / 'advisor.db'}"
        return
    with throwaway_postgres(server_url, prefix="advisor_bench") as url:
        yield url


class Sender:
    """One `send-due` process; remembers when it started and which log file holds its JSON report."""

    def __init__(self, env: dict[str, str], folder: Path):
        before = set(folder.glob("send-due-*.log"))
        self.started = time.monotonic()
        self.process: subprocess.Popen = send_due_process(env, NOW, folder)
        (self.log,) = set(folder.glob("send-due-*.log")) - before
        self.ended: float | None = None

    def wait(self) -> int:
        code = self.process.wait(SENDER_TIMEOUT)
        self.ended = time.monotonic()
        return code

    def kill(self) -> None:
        self.process.kill()  # SIGKILL
        self.process.wait()
        self.ended = time.monotonic()

    def report(self) -> dict | None:
        """The sender's `--json` report (its last JSON line), or None if it printed none (it was killed)."""
        for line in reversed(self.log.read_text(errors="replace").splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        return None

    def output(self) -> str:
        return self.log.read_text(errors="replace").strip()


def segment(slack: SlackStandIn, start: float, end: float) -> dict:
    """Figures for the Slack calls that arrived in [start, end): one sender process's share of the run."""
    def within(calls: list[Call]) -> list[Call]:
        return [call for call in calls if start <= call.at < end]

    delivered = within(slack.delivered(POST))
    attempts = within(slack.calls(POST))
    lookups = within(slack.calls("users.info"))
    figures: dict = {
        "delivered": len(delivered),
        "rate_limited_429": sum(call.status == 429 for call in attempts),
        "users_info_calls": len(lookups),
        "users_info_s": round(lookups[-1].at - lookups[0].at, 2) if lookups else 0.0,
        "history_calls": len(within(slack.calls("conversations.history"))),
    }
    if delivered:
        elapsed = delivered[-1].at - delivered[0].at
        pace = len(delivered) / elapsed if elapsed > 0 else float("inf")
        figures.update({
            "start_to_first_post_s": round(delivered[0].at - start, 2),
            "posting_s": round(elapsed, 2),
            "pace_per_s": round(pace, 2),
            "pace_ratio": round(pace / WORKSPACE_RATE, 3),
        })
    return figures


def outcome(slack: SlackStandIn, students: dict) -> dict:
    """Who got what, over the whole scenario."""
    per_student = Counter(call.params["channel"] for call in slack.delivered(POST))
    return {
        "students": len(students),
        "delivered": sum(per_student.values()),
        "duplicates": sum(count > 1 for count in per_student.values()),
        "missed": sum(per_student[user] == 0 for user in students),
        "unexpected_targets": len(set(per_student) - set(students)),
        "rate_limited_429": sum(call.status == 429 for call in slack.calls(POST)),
    }


def wait_for_deliveries(slack: SlackStandIn, count: int, sender: Sender) -> None:
    """Polls (rather than waking on every request, which would steal the stand-in's GIL) until `count` are out."""
    deadline = time.monotonic() + SENDER_TIMEOUT
    while len(slack.delivered(POST)) < count:
        if sender.process.poll() is not None:
            raise RuntimeError(f"the sender exited before the kill:\n{sender.output()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {count} messages within {SENDER_TIMEOUT} s")
        time.sleep(0.02)


def run_scenario(kind: str, count: int, latency: float, workers: int | None, server_url: str | None,
                 keep_gc: bool = False, kill_after: float = KILL_AFTER, lose: int | None = None) -> dict:
    students = many_students(count)
    with tempfile.TemporaryDirectory() as scratch, fresh_database(server_url, Path(scratch)) as url, \
            SlackStandIn(latency=latency, workspace_rate=WORKSPACE_RATE, channel_rate=CHANNEL_RATE) as slack:
        folder = Path(scratch)
        slack.lose_answers(lose)
        env = {**nudge_env(url, slack.url, folder, {}), "QUIET_HOURS": "off",
               "SLACK_POST_RATE": str(WORKSPACE_RATE), "SLACK_CHANNEL_POST_RATE": str(CHANNEL_RATE)}
        if workers is not None:
            env["NUDGE_SEND_WORKERS"] = str(workers)
        roster(url, students)
        figures: dict = {"scenario": kind, "database": url.split(":")[0].split("+")[0], "lose_every": lose,
                         "stand_in_gc": "on" if keep_gc else "off during the run"}
        with quiet_collector(keep_gc):
            fan_out(kind, count, kill_after, env, folder, slack, figures)
        figures.update(outcome(slack, students))
    return figures


@contextmanager
def quiet_collector(keep: bool) -> Iterator[None]:
    """The stand-in keeps every call's parameters, so after ~1,400 messages a full collection in this process
    stops its threads for ~100 ms: the requests queued meanwhile get the same arrival time, and a second later the
    stand-in's sliding window holds 50 and answers 429. That is the instrument's pause, not the sender's, so the
    collector is off while the sender runs (reference counting still frees everything acyclic)."""
    if keep:
        yield
        return
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def orphans(url: str, slack: SlackStandIn) -> dict:
    """Right after the kill: ledger rows the dead sender had claimed but not recorded, and how many Slack had."""
    engine = migrated_engine(url)
    try:
        held = Ledger(engine).orphans()
    finally:
        engine.dispose()
    messaged = {call.params["channel"] for call in slack.delivered(POST)}
    return {"claimed_unrecorded_at_kill": len(held),
            "of_which_slack_had": sum(row.target in messaged for row in held)}


def fan_out(kind: str, count: int, kill_after: float, env: dict[str, str], folder: Path, slack: SlackStandIn,
            figures: dict) -> None:
    """Runs the scenario's sender(s) and records their figures in `figures`."""
    first = Sender(env, folder)
    if kind == "clean":
        figures["exit_code"] = first.wait()
        figures["report"] = first.report()
        figures["run"] = segment(slack, first.started, float("inf"))
        figures["wall_s"] = round(first.ended - first.started, 2)
    else:
        wait_for_deliveries(slack, round(count * kill_after), first)
        first.kill()
        figures.update(orphans(env["DATABASE_URL"], slack))
        figures["ledger_look_s"] = round(time.monotonic() - first.ended, 3)  # not the sender's: in the gap below
        rerun = Sender(env, folder)
        figures["exit_code"] = rerun.wait()
        figures["report"] = rerun.report()
        figures["killed_after"] = segment(slack, first.started, rerun.started)["delivered"]
        figures["before_kill"] = segment(slack, first.started, rerun.started)
        figures["rerun"] = segment(slack, rerun.started, float("inf"))
        figures["recovered"] = (figures["report"] or {}).get("recovered")
        delivered = slack.delivered(POST)
        figures["first_to_last_post_incl_restart_s"] = round(delivered[-1].at - delivered[0].at, 2)
        figures["restart_gap_s"] = round(
            min(call.at for call in delivered if call.at >= rerun.started)
            - max(call.at for call in delivered if call.at < rerun.started), 2)
        figures["wall_s"] = round(rerun.ended - first.started, 2)
    if figures["exit_code"] != 0:
        figures["sender_output"] = (rerun if kind == "kill" else first).output()[-2000:]


def failures(figures: dict) -> list[str]:
    problems = []
    if figures["duplicates"]:
        problems.append(f"{figures['duplicates']} student(s) messaged more than once")
    if figures["missed"]:
        problems.append(f"{figures['missed']} student(s) never messaged")
    if figures["unexpected_targets"]:
        problems.append(f"{figures['unexpected_targets']} message(s) to someone not on the roster")
    if figures["exit_code"] != 0:
        problems.append(f"the sender that should finish exited {figures['exit_code']}")
    for part in ("run", "before_kill", "rerun"):
        ratio = figures.get(part, {}).get("pace_ratio")
        if ratio is not None and ratio < TARGET_RATIO:
            problems.append(f"{part}: pace {figures[part]['pace_per_s']}/s is {ratio:.3f} of the "
                            f"{WORKSPACE_RATE}/s limit, under {TARGET_RATIO}")
    return problems


def summary(figures: dict) -> str:
    lines = [f"{figures['scenario']} ({figures['database']}): {figures['delivered']} delivered to "
             f"{figures['students']} students, {figures['duplicates']} duplicates, {figures['missed']} missed, "
             f"{figures['rate_limited_429']} x 429, wall {figures['wall_s']} s"]
    for part in ("run", "before_kill", "rerun"):
        if part in figures and "pace_per_s" in figures[part]:
            seg = figures[part]
            lines.append(f"  {part}: {seg['delivered']} posts in {seg['posting_s']} s = {seg['pace_per_s']}/s "
                         f"({seg['pace_ratio']:.3f} of {WORKSPACE_RATE}/s), {seg['rate_limited_429']} x 429, "
                         f"{seg['users_info_calls']} users.info in {seg['users_info_s']} s, "
                         f"{seg['history_calls']} conversations.history, first post {seg['start_to_first_post_s']} s "
                         f"after start")
    if figures["scenario"] == "kill":
        lines.append(f"  at the kill: {figures['killed_after']} delivered, {figures['claimed_unrecorded_at_kill']} "
                     f"ledger row(s) claimed but not recorded, {figures['of_which_slack_had']} of them taken by Slack")
        lines.append(f"  recovered from Slack history by the rerun: {figures['recovered']}; restart gap "
                     f"{figures['restart_gap_s']} s (the benchmark's look at the ledger: "
                     f"{figures['ledger_look_s']} s); "
                     f"first to last post incl. restart "
                     f"{figures['first_to_last_post_incl_restart_s']} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02, help="stand-in Web API latency in seconds")
    parser.add_argument("--scenario", choices=["both", "clean", "kill"], default="both")
    parser.add_argument("--workers", type=int, help="NUDGE_SEND_WORKERS for the sender (default: auto from the rate)")
    parser.add_argument("--kill-after", type=float, default=KILL_AFTER,
                        help="kill scenario: SIGKILL once this fraction of the students has been messaged")
    parser.add_argument("--keep-gc", action="store_true",
                        help="leave this process's garbage collector on (its pauses stall the stand-in)")
    parser.add_argument("--database-url", help="a PostgreSQL server to create fresh databases on (default: SQLite)")
    parser.add_argument("--lose", type=int, metavar="N", help="the stand-in loses the answer to every N-th post")
    args = parser.parse_args()
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL; SQLite is the default")
    kinds = ["clean", "kill"] if args.scenario == "both" else [args.scenario]
    results = [run_scenario(kind, args.students, args.latency, args.workers, args.database_url, args.keep_gc,
                            args.kill_after, args.lose) for kind in kinds]
    print(json.dumps(results, indent=2))
    problems = []
    for figures in results:
        print(summary(figures))
        problems += [f"{figures['scenario']}: {problem}" for problem in failures(figures)]
    for problem in problems:
        print(f"FAIL {problem}")
    print("FAIL" if problems else "PASS")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
