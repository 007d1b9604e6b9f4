"""Fits how the engine ranks and how sure it is, on the development question sets.

    python -m benchmarks.calibrate            # fit, report 5-fold cross-validation, write knowledge/calibration.json
    python -m benchmarks.calibrate --dry-run  # report only

1. Ranking: the mix of the features (coverage, phrasing F1, similarity, relative BM25) is grid-searched
   for the most questions whose best candidate is a right answer.
2. Confidence: a logistic regression (Newton's method, light L2) over the best candidate's
   features and its margin over the runner-up (1 = right answer, 0 = wrong or out of scope),
   so that the confidence estimates P(right).
3. Threshold: swept on the whole advisor pipeline for the best balanced accuracy.
Cross-validation repeats all three on four fifths of the questions and scores the unseen fifth,
which estimates how the engine does on questions nobody tuned it on.
"""

from __future__ import annotations

import argparse
import json
import math
import zlib
from dataclasses import dataclass
from datetime import date

from bot.conversation import Advisor
from bot.reading import Reader
from knowledge.engine import CALIBRATION_FILE, CONFIDENCE_FEATURES, FEATURES, RERANK_DEPTH, Calibration, SearchEngine
from knowledge.evaluation import Case, Report, evaluate, load_cases
from knowledge.loader import KnowledgeBase, load_knowledge
from support.harness import DEV_CHAT_QUESTIONS, DEV_QUESTIONS, advisor_system

FOLDS = 5
GRID_STEP = 0.1
THRESHOLDS = [round(0.20 + 0.02 * step, 2) for step in range(31)]


@dataclass(frozen=True)
class Scored:
    """A question's shortlisted candidates: (features, profile factor, is it a right answer)."""

    candidates: list[tuple[dict[str, float], float, bool]]


def retrieval_free(case: Case) -> bool:
    """Questions the calendar or the checklist answers, and near misses (which the detail check declines)."""
    return bool({"calendar", "checklist"} & set(case.expect)) or case.near_miss


def shortlists(engine: SearchEngine, cases: list[Case]) -> list[Scored]:
    """Candidates for each question as the advisor searches it: chat language read past (fillers, slang).
    Near misses are left out: the detail check declines them, whatever the confidence."""
    reader = Reader(engine.kb.chat)
    scored = []
    for case in cases:
        result = engine.search(reader.plain(case.question), phase=case.phase, track=case.track, limit=RERANK_DEPTH)
        scored.append(Scored([
            (c.features, engine.profile_factor(c.entry, case.phase, case.track),
             c.entry.id in case.expect and (case.fact is None or case.fact.casefold() in c.entry.answer.casefold()))
            for c in result.candidates
        ]))
    return scored


def mixes() -> list[dict[str, float]]:
    steps = round(1 / GRID_STEP)
    return [
        {"coverage": a * GRID_STEP, "phrasing_f1": b * GRID_STEP, "similarity": c * GRID_STEP,
         "relative_bm25": (steps - a - b - c) * GRID_STEP}
        for a in range(steps + 1) for b in range(steps + 1 - a) for c in range(steps + 1 - a - b)
    ]


def ranked(item: Scored, mix: dict[str, float]) -> list[tuple[float, dict[str, float], bool]]:
    return sorted(
        ((sum(mix[n] * f[n] for n in FEATURES) * factor, f, right) for f, factor, right in item.candidates),
        key=lambda c: c[0], reverse=True,
    )


def top_row(item: Scored, mix: dict[str, float]) -> tuple[list[float], int]:
    """The best candidate's confidence features (with its margin) and whether it is right."""
    order = ranked(item, mix)
    if not order:
        return [0.0] * len(CONFIDENCE_FEATURES), 0
    ranking, features, right = order[0]
    features = {**features, "margin": ranking - (order[1][0] if len(order) > 1 else 0.0)}
    return [features[n] for n in CONFIDENCE_FEATURES], int(right)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (one row per feature: tiny)."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[col][col]:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] if a[i][i] else 0.0 for i in range(n)]


def fit_logistic(rows: list[tuple[list[float], int]], l2: float = 0.1, iterations: int = 50) -> list[float]:
    """Newton's method for L2-regularised logistic regression; the last weight is the bias."""
    size = len(rows[0][0]) + 1
    beta = [0.0] * size
    for _ in range(iterations):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for features, label in rows:
            x = [*features, 1.0]
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, sum(b * v for b, v in zip(beta, x, strict=True))))))
            for i in range(size):
                gradient[i] += (label - p) * x[i]
                for j in range(size):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(size - 1):
            gradient[i] -= l2 * beta[i]
            hessian[i][i] += l2
        step = _solve(hessian, gradient)
        beta = [b + d for b, d in zip(beta, step, strict=True)]
        if max(abs(d) for d in step) < 1e-7:
            break
    return beta


def refitted(engine: SearchEngine, calibration: Calibration) -> SearchEngine:
    """The same index and embeddings, another calibration."""
    return SearchEngine(engine.kb, calibration, engine.embeddings)


def declined_share(report: Report) -> float:
    """Out-of-scope questions and near misses not answered, together."""
    total = report.out_of_scope_total + report.near_miss_total
    return (report.out_of_scope_right + report.near_miss_right) / total if total else 0.0


def fit(engine: SearchEngine, kb: KnowledgeBase, cases: list[Case]) -> tuple[Calibration, Report]:
    retrieval_cases = [c for c in cases if not retrieval_free(c)]
    scored = shortlists(engine, retrieval_cases)
    in_scope = [item for item, case in zip(scored, retrieval_cases, strict=True) if case.in_scope]
    mix = max(mixes(), key=lambda m: (sum(ranked(item, m)[0][2] for item in in_scope if item.candidates),
                                      m["coverage"]))
    beta = fit_logistic([top_row(item, mix) for item in scored])
    weights = dict(zip(CONFIDENCE_FEATURES, beta[:-1], strict=True))
    best: tuple[float, float, Report] | None = None
    for threshold in THRESHOLDS:
        calibration = Calibration(mix=mix, weights=weights, bias=beta[-1], threshold=threshold)
        report = evaluate("engine", cases, advisor_system(Advisor(kb, engine=refitted(engine, calibration))))
        balanced = (report.in_scope_accuracy + declined_share(report)) / 2
        if best is None or balanced > best[0] or (balanced == best[0] and abs(threshold - 0.5) < abs(best[1] - 0.5)):
            best = (balanced, threshold, report)
    return Calibration(mix=mix, weights=weights, bias=beta[-1], threshold=best[1]), best[2]


def fold_of(case: Case) -> int:
    return zlib.crc32(case.question.encode()) % FOLDS


def cross_validate(kb: KnowledgeBase, engine: SearchEngine, cases: list[Case]) -> Report:
    total = Report(name="5-fold cross-validation")
    for fold in range(FOLDS):
        calibration, _ = fit(engine, kb, [c for c in cases if fold_of(c) != fold])
        test = [c for c in cases if fold_of(c) == fold]
        report = evaluate("fold", test, advisor_system(Advisor(kb, engine=refitted(engine, calibration))))
        total.in_scope_right += report.in_scope_right
        total.in_scope_total += report.in_scope_total
        total.out_of_scope_right += report.out_of_scope_right
        total.out_of_scope_total += report.out_of_scope_total
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    kb = load_knowledge()
    engine = SearchEngine(kb, embeddings=True)
    cases = load_cases(DEV_QUESTIONS) + load_cases(DEV_CHAT_QUESTIONS)
    cv = cross_validate(kb, engine, cases)
    print(cv.summary())
    calibration, report = fit(engine, kb, cases)
    print(report.summary())
    print(calibration)
    if not args.dry_run:
        CALIBRATION_FILE.write_text(json.dumps({
            "mix": {name: round(value, 3) for name, value in calibration.mix.items()},
            "weights": {name: round(value, 4) for name, value in calibration.weights.items()},
            "bias": round(calibration.bias, 4),
            "threshold": calibration.threshold,
            "fitted_on": f"{len(cases)} development questions, {date.today().isoformat()}",
            "cross_validation": {"in_scope": round(cv.in_scope_accuracy, 4),
                                 "out_of_scope": round(cv.out_of_scope_accuracy, 4)},
        }, indent=2) + "\n")
        print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
