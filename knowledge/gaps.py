"""Grouping declined questions by similarity so curators see what to write next."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.text import terms

SAME_GAP_SCORE = 70.0


@dataclass
class Gap:
    example: str
    questions: list[str]

    @property
    def count(self) -> int:
        return len(self.questions)


def group_gaps(questions: list[str], same_gap_score: float = SAME_GAP_SCORE) -> list[Gap]:
    """Greedy single-pass clustering on stemmed content words; most frequent gap first."""
    gaps: list[tuple[str, Gap]] = []
    for question in questions:
        key = " ".join(sorted(set(terms(question)))) or question.strip().lower()
        for gap_key, gap in gaps:
            if fuzz.token_set_ratio(key, gap_key) >= same_gap_score:
                gap.questions.append(question)
                break
        else:
            gaps.append((key, Gap(example=question, questions=[question])))
    return sorted((gap for _, gap in gaps), key=lambda gap: gap.count, reverse=True)
