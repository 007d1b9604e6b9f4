"""The regression gate: the development question sets must stay answered (and declined) correctly.

The targets sit just under today's figures, so a change that makes answers worse fails here; the blind
sets are measured by benchmarks/answer_quality.py and never gate (they must not be tuned on).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation import Report, evaluate, load_cases
from support.harness import DEV_CHAT_QUESTIONS, DEV_QUESTIONS, advisor_system

SPECIAL_EXPECTATIONS = ("calendar", "checklist")
# question set -> (in-scope right, near misses not answered, out-of-scope declined), at least
TARGETS = {
    DEV_QUESTIONS: (0.97, 0.0, 0.95),
    DEV_CHAT_QUESTIONS: (0.83, 0.77, 0.95),
}


@pytest.fixture(scope="module", params=list(TARGETS), ids=lambda path: path.stem)
def scored(request, advisor) -> tuple[Path, Report]:
    return request.param, evaluate(request.param.stem, load_cases(request.param), advisor_system(advisor))


def _misses(report: Report, which: str) -> str:
    lines = [
        f"  {case.question!r}: expected {list(case.expect) or 'not answered'}"
        f"{' with ' + repr(case.fact) if case.fact else ''}, got {outcome.entry} ({outcome.score:.2f})"
        for case, outcome in report.misses
        if which == ("in" if case.in_scope else "near" if case.near_miss else "out")
    ]
    return "\n".join(lines)


def test_question_sets_are_large_enough(scored):
    _, report = scored
    assert report.in_scope_total >= 200
    assert report.out_of_scope_total >= 40


def test_in_scope_questions_answered_with_the_right_fact(scored):
    path, report = scored
    assert report.in_scope_accuracy >= TARGETS[path][0], report.summary() + "\n" + _misses(report, "in")


def test_near_misses_are_not_answered_as_if_the_pages_gave_the_detail(scored):
    path, report = scored
    assert report.near_miss_accuracy >= TARGETS[path][1], report.summary() + "\n" + _misses(report, "near")


def test_out_of_scope_questions_declined(scored):
    path, report = scored
    assert report.out_of_scope_accuracy >= TARGETS[path][2], report.summary() + "\n" + _misses(report, "out")


@pytest.mark.parametrize("path", list(TARGETS), ids=lambda path: path.stem)
def test_every_expected_entry_exists(kb, path):
    for case in load_cases(path):
        for entry_id in case.expect:
            assert entry_id in SPECIAL_EXPECTATIONS or entry_id in kb.by_id, \
                f"{case.question!r} expects unknown {entry_id!r}"
