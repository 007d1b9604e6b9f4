"""Answer time in-process (real and synthetic 10,000-entry knowledge bases) and `advisor ask` start-up
(`--startup`: only that).

    python -m benchmarks.speed
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.conversation import Advisor
from knowledge.context import StudentContext
from knowledge.evaluation import load_cases
from knowledge.loader import KnowledgeBase, load_knowledge
from knowledge.schema import Entry, Source
from knowledge.text import content_words
from support.harness import DEV_QUESTIONS

PASSES = 5
STARTUPS = 15


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def answer_times(advisor: Advisor, questions: list[tuple[str, StudentContext]]) -> list[float]:
    timings = []
    for _ in range(PASSES):
        for question, context in questions:
            start = time.perf_counter()
            advisor.reply(question, context)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def synthetic(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """The real entries plus generated ones drawn from the same vocabulary and a synthetic one."""
    rng = random.Random(seed)
    vocabulary = sorted({w for e in kb.entries for t in (e.title, *e.questions, e.answer) for w in content_words(t)})
    vocabulary += [f"topic{n}" for n in range(size // 2)]
    entries = list(kb.entries)
    for n in range(size - len(entries)):
        def sentence(length: int) -> str:
            return " ".join(rng.choice(vocabulary) for _ in range(length))

        entries.append(Entry(
            id=f"synthetic-{n}", title=sentence(4), questions=tuple(sentence(rng.randint(4, 9)) for _ in range(5)),
            answer=sentence(50), source=Source(document="synthetic", section=str(n)), last_verified=date(2026, 1, 1),
        ))
    return replace(kb, entries=tuple(entries))


def startup_times() -> list[float]:
    advisor = str(Path(sys.executable).parent / "advisor")
    timings = []
    with tempfile.TemporaryDirectory() as data:
        for _ in range(STARTUPS):
            start = time.perf_counter()
            subprocess.run([advisor, "ask", "when is match day"], check=True, capture_output=True,
                           env={"DATA_DIR": data, "PATH": "/usr/bin:/bin"})
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def row(label: str, samples: list[float]) -> str:
    return (f"| {label} | {len(samples)} | {statistics.median(samples):.2f} ms | {percentile(samples, 0.99):.2f} ms "
            f"| {max(samples):.2f} ms |")


def main() -> None:
    if "--startup" in sys.argv[1:]:  # only the process start-up, for a quick check
        print("| measurement | samples | p50 | p99 | max |")
        print("|---|---|---|---|---|")
        print(row("`advisor ask` start-up to answer (process wall time)", startup_times()))
        return
    kb = load_knowledge()
    questions = [(c.question, StudentContext(phase=c.phase, track=c.track, today=c.today))
                 for c in load_cases(DEV_QUESTIONS)]
    print("| measurement | samples | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    print(row(f"answer, real knowledge base ({len(kb.entries)} entries)", answer_times(Advisor(kb), questions)))
    big = synthetic(kb, 10_000)
    start = time.perf_counter()
    big_advisor = Advisor(big)
    build = time.perf_counter() - start
    print(row("answer, synthetic knowledge base (10,000 entries)", answer_times(big_advisor, questions)))
    print(row("`advisor ask` start-up to answer (process wall time)", startup_times()))
    print(f"\nIndex build for 10,000 entries: {build:.1f} s (once per process start).")


if __name__ == "__main__":
    main()
