"""The regression gate: the development question set must stay answered (and declined) correctly."""

from __future__ import annotations

import pytest

from benchmarks.harness import DEV_QUESTIONS, advisor_system
from knowledge.evaluation import evaluate, load_cases

IN_SCOPE_TARGET = 0.97
OUT_OF_SCOPE_TARGET = 0.95


@pytest.fixture(scope="module")
def report(advisor):
    return evaluate("engine", load_cases(DEV_QUESTIONS), advisor_system(advisor))


def _misses(report, in_scope: bool) -> str:
    lines = [
        f"  {case.question!r}: expected {list(case.expect) or 'decline'}"
        f"{' with ' + repr(case.fact) if case.fact else ''}, got {outcome.entry} ({outcome.score:.2f})"
        for case, outcome in report.misses
        if case.in_scope == in_scope
    ]
    return "\n".join(lines)


def test_question_set_is_large_enough(report):
    assert report.in_scope_total >= 200
    assert report.out_of_scope_total >= 40


def test_in_scope_questions_answered_with_the_right_fact(report):
    assert report.in_scope_accuracy >= IN_SCOPE_TARGET, report.summary() + "\n" + _misses(report, True)


def test_out_of_scope_questions_declined(report):
    assert report.out_of_scope_accuracy >= OUT_OF_SCOPE_TARGET, report.summary() + "\n" + _misses(report, False)


def test_every_expected_entry_exists(kb):
    for case in load_cases(DEV_QUESTIONS):
        for entry_id in case.expect:
            assert entry_id in ("calendar", "checklist") or entry_id in kb.by_id, f"{case.question!r} expects unknown {entry_id!r}"
