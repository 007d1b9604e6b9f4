"""Answer quality: the engine against plain rapidfuzz and plain BM25, on the same knowledge base.

    python -m benchmarks.answer_quality

Runs the development sets (the regression gate; the engine was tuned on them) and the two blind
held-out sets (written from the source pages by helpers who never read the knowledge base, and
never used for tuning), and shows how well the confidence is calibrated: in each confidence band,
how often the best entry was in fact right. Near misses (a subject the pages cover, a detail they
don't give) count as right only when the advisor does not answer them.
"""

from __future__ import annotations

from benchmarks.baselines import BM25Baseline, FuzzyBaseline, best_threshold_report
from bot.conversation import Advisor
from knowledge.context import StudentContext
from knowledge.evaluation import Case, evaluate, load_cases
from knowledge.loader import load_knowledge
from support.harness import (
    BLIND_QUESTIONS,
    DEV_CHAT_QUESTIONS,
    DEV_QUESTIONS,
    HELDOUT_QUESTIONS,
    advisor_system,
)

BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))


def calibration_table(advisor: Advisor, cases: list[Case]) -> list[str]:
    """Confidence of the best retrieved entry against how often it was right (in-scope) or wrong."""
    bands = {band: [0, 0, 0.0] for band in BANDS}  # count, right, summed confidence
    for case in cases:
        if {"calendar", "checklist"} & set(case.expect):
            continue
        result = advisor.engine.search(case.question, phase=case.phase, track=case.track)
        if result.best is None:
            continue
        right = case.in_scope and result.best.entry.id in case.expect
        band = next(b for b in BANDS if b[0] <= result.best.confidence < b[1])
        bands[band][0] += 1
        bands[band][1] += right
        bands[band][2] += result.best.confidence
    lines = ["| confidence | questions | mean confidence | best entry right |", "|---|---|---|---|"]
    for (low, high), (count, right, total) in bands.items():
        if count:
            lines.append(f"| {low:.1f}–{min(high, 1.0):.1f} | {count} | {total / count:.2f} | {right / count:.0%} |")
    return lines


def main() -> None:
    kb = load_knowledge()
    advisor = Advisor(kb)
    advisor.reply("warm up", StudentContext())
    print(f"Knowledge base: {len(kb.entries)} entries ({len(kb.events)} events, {len(kb.glossary)} glossary terms)\n")
    for label, path in (("development set", DEV_QUESTIONS), ("development set, chat style", DEV_CHAT_QUESTIONS),
                        ("held-out set (first blind set)", HELDOUT_QUESTIONS),
                        ("blind chat-style set", BLIND_QUESTIONS)):
        if not path.exists():
            continue
        cases = load_cases(path)
        engine = evaluate("engine (hybrid)", cases, advisor_system(advisor))
        fuzzy, fuzzy_at = best_threshold_report("plain rapidfuzz (WRatio)", cases, FuzzyBaseline(kb))
        bm25, bm25_at = best_threshold_report("plain BM25", cases, BM25Baseline(kb))
        print(f"### {label}: {engine.in_scope_total} in-scope, {engine.near_miss_total} near misses, "
              f"{engine.out_of_scope_total} out-of-scope\n")
        print("| system | in-scope right | near misses not answered | out-of-scope declined |")
        print("|---|---|---|---|")
        for report, note in ((engine, ""), (fuzzy, f" (best threshold {fuzzy_at:.0f})"),
                             (bm25, f" (best threshold {bm25_at:.2f})")):
            print(f"| {report.name}{note} | {report.in_scope_right}/{report.in_scope_total} "
                  f"({report.in_scope_accuracy:.1%}) | {report.near_miss_right}/{report.near_miss_total} "
                  f"({report.near_miss_accuracy:.1%}) | {report.out_of_scope_right}/{report.out_of_scope_total} "
                  f"({report.out_of_scope_accuracy:.1%}) |")
        print()
        print("\n".join(calibration_table(advisor, cases)))
        print()


if __name__ == "__main__":
    main()
