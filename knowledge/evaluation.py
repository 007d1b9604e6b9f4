"""Scoring the advisor on a question set: the regression gate, the benchmark and curators' checks.

A question set is YAML with `in_scope:` items ({q, expect, fact?, phase?, track?, date?}),
`near_miss:` items ({q, nearest?, missing?}: a subject the pages cover, a detail they don't give) and
`out_of_scope:` strings. An in-scope question counts as right only when it is answered from an
expected entry and, where a `fact` is given, the answer contains it; a near miss or an
out-of-scope question counts as right only when the advisor does not answer it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from knowledge.yaml_files import read_yaml


@dataclass(frozen=True)
class Case:
    question: str
    expect: tuple[str, ...]  # empty for out-of-scope
    fact: str | None = None
    phase: str | None = None
    track: str | None = None
    today: date | None = None
    near_miss: bool = False

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)


@dataclass(frozen=True)
class Outcome:
    """What a system said for one case: the entry it answered from (None when it declined) and its text."""

    entry: str | None
    text: str
    score: float = 0.0


@dataclass
class Report:
    name: str
    in_scope_right: int = 0
    in_scope_total: int = 0
    out_of_scope_right: int = 0
    out_of_scope_total: int = 0
    near_miss_right: int = 0
    near_miss_total: int = 0
    misses: list[tuple[Case, Outcome]] = field(default_factory=list)

    @property
    def in_scope_accuracy(self) -> float:
        return self.in_scope_right / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def out_of_scope_accuracy(self) -> float:
        return self.out_of_scope_right / self.out_of_scope_total if self.out_of_scope_total else 0.0

    @property
    def near_miss_accuracy(self) -> float:
        return self.near_miss_right / self.near_miss_total if self.near_miss_total else 0.0

    def summary(self) -> str:
        near = (f", near misses not answered {self.near_miss_right}/{self.near_miss_total} "
                f"({self.near_miss_accuracy:.1%})" if self.near_miss_total else "")
        return (
            f"{self.name}: in-scope {self.in_scope_right}/{self.in_scope_total} "
            f"({self.in_scope_accuracy:.1%}), out-of-scope declined {self.out_of_scope_right}/"
            f"{self.out_of_scope_total} ({self.out_of_scope_accuracy:.1%}){near}"
        )


def load_cases(path: Path) -> list[Case]:
    data = read_yaml(Path(path).read_text(encoding="utf-8"))
    cases = []
    for item in data.get("in_scope", []):
        expect = item["expect"]
        cases.append(
            Case(
                question=str(item["q"]),
                expect=tuple(expect) if isinstance(expect, list) else (expect,),
                fact=str(item["fact"]) if item.get("fact") is not None else None,
                phase=item.get("phase"),
                track=item.get("track"),
                today=item.get("date"),
            )
        )
    cases.extend(Case(question=str(item["q"]), expect=(), near_miss=True) for item in data.get("near_miss", []))
    cases.extend(Case(question=str(q), expect=()) for q in data.get("out_of_scope", []))
    return cases


def is_right(case: Case, outcome: Outcome) -> bool:
    if not case.in_scope:
        return outcome.entry is None
    if outcome.entry not in case.expect:
        return False
    return case.fact is None or case.fact.casefold() in outcome.text.casefold()


def evaluate(name: str, cases: list[Case], system: Callable[[Case], Outcome]) -> Report:
    report = Report(name=name)
    for case in cases:
        outcome = system(case)
        right = is_right(case, outcome)
        if case.in_scope:
            report.in_scope_total += 1
            report.in_scope_right += right
        elif case.near_miss:
            report.near_miss_total += 1
            report.near_miss_right += right
        else:
            report.out_of_scope_total += 1
            report.out_of_scope_right += right
        if not right:
            report.misses.append((case, outcome))
    return report
