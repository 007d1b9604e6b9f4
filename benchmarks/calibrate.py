"""Fits the engine's confidence model on the development question set; writes knowledge/calibration.json.

    python -m benchmarks.calibrate            # fit, report 5-fold cross-validated accuracy, write the file
    python -m benchmarks.calibrate --dry-run  # report only

Each (question, candidate entry) pair is a row labelled 1 when that entry is a right answer; a
logistic regression (Newton's method, light L2) maps the candidate's features to the probability
it is right. The decline threshold is then chosen on the whole pipeline for the best balanced
accuracy. Cross-validation refits on four fifths and scores the unseen fifth, which estimates how
the engine does on questions it was not fitted on.
"""

from __future__ import annotations

import argparse
import json
import math
import zlib
from datetime import date

from bot.conversation import Advisor
from knowledge.engine import CALIBRATION_FILE, FEATURES, RERANK_DEPTH, Calibration, SearchEngine
from knowledge.evaluation import Case, Report, evaluate, load_cases
from knowledge.loader import KnowledgeBase, load_knowledge
from tests.conftest import DEV_QUESTIONS, advisor_system

L2 = 0.01
FOLDS = 5
THRESHOLDS = [round(0.20 + 0.02 * step, 2) for step in range(31)]


def rows(engine: SearchEngine, cases: list[Case]) -> list[tuple[list[float], int]]:
    data = []
    for case in cases:
        if "calendar" in case.expect:
            continue
        result = engine.search(case.question, phase=case.phase, track=case.track, limit=RERANK_DEPTH)
        for candidate in result.candidates:
            right = candidate.entry.id in case.expect and (
                case.fact is None or case.fact.casefold() in candidate.entry.answer.casefold()
            )
            data.append(([candidate.features[name] for name in FEATURES], int(right)))
    return data


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the system is tiny: one row per feature)."""
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


def fit(data: list[tuple[list[float], int]], iterations: int = 30) -> tuple[list[float], float]:
    size = len(FEATURES) + 1
    beta = [0.0] * size
    for _ in range(iterations):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for features, label in data:
            x = [*features, 1.0]
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(size):
                gradient[i] += (label - p) * x[i]
                for j in range(size):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(size - 1):
            gradient[i] -= L2 * beta[i]
            hessian[i][i] += L2
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return beta[:-1], beta[-1]


def choose_threshold(kb: KnowledgeBase, cases: list[Case], weights: list[float], bias: float) -> tuple[float, Report]:
    best: tuple[float, float, Report] | None = None
    for threshold in THRESHOLDS:
        calibration = Calibration(weights=dict(zip(FEATURES, weights, strict=True)), bias=bias, threshold=threshold)
        report = evaluate("engine", cases, advisor_system(Advisor(kb, engine=SearchEngine(kb, calibration))))
        balanced = (report.in_scope_accuracy + report.out_of_scope_accuracy) / 2
        if best is None or balanced > best[0] or (balanced == best[0] and abs(threshold - 0.5) < abs(best[1] - 0.5)):
            best = (balanced, threshold, report)
    return best[1], best[2]


def fold_of(case: Case) -> int:
    return zlib.crc32(case.question.encode()) % FOLDS


def cross_validate(kb: KnowledgeBase, engine: SearchEngine, cases: list[Case]) -> Report:
    total = Report(name="5-fold cross-validation")
    for fold in range(FOLDS):
        train = [c for c in cases if fold_of(c) != fold]
        test = [c for c in cases if fold_of(c) == fold]
        weights, bias = fit(rows(engine, train))
        threshold, _ = choose_threshold(kb, train, weights, bias)
        calibration = Calibration(weights=dict(zip(FEATURES, weights, strict=True)), bias=bias, threshold=threshold)
        report = evaluate("fold", test, advisor_system(Advisor(kb, engine=SearchEngine(kb, calibration))))
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
    engine = SearchEngine(kb)
    cases = load_cases(DEV_QUESTIONS)
    cv = cross_validate(kb, engine, cases)
    print(cv.summary())
    weights, bias = fit(rows(engine, cases))
    threshold, report = choose_threshold(kb, cases, weights, bias)
    print(report.summary(), f"threshold {threshold}")
    print("weights", {n: round(w, 3) for n, w in zip(FEATURES, weights, strict=True)}, "bias", round(bias, 3))
    if not args.dry_run:
        CALIBRATION_FILE.write_text(json.dumps({
            "weights": {n: round(w, 4) for n, w in zip(FEATURES, weights, strict=True)},
            "bias": round(bias, 4),
            "threshold": threshold,
            "fitted_on": f"{len(cases)} development questions, {date.today().isoformat()}",
            "cross_validation": {"in_scope": round(cv.in_scope_accuracy, 4),
                                 "out_of_scope": round(cv.out_of_scope_accuracy, 4)},
        }, indent=2) + "\n")
        print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
