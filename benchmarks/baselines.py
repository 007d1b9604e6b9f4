"""The two baselines the engine must beat, on the same knowledge base and questions.

Each gets its best possible decline threshold (swept on the question set itself), so the
comparison flatters the baselines, not the engine.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from rapidfuzz import fuzz, process, utils

from knowledge.evaluation import Case, Outcome, Report, evaluate
from knowledge.loader import KnowledgeBase
from knowledge.text import STOPWORDS

_TOKEN = re.compile(r"\w+")


class FuzzyBaseline:
    """Plain rapidfuzz: WRatio of the question against every phrasing and title."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.choices: list[str] = []
        self.owners: list[str] = []
        for entry in kb.entries:
            for text in (entry.title, *entry.questions):
                self.choices.append(text)
                self.owners.append(entry.id)

    def best(self, question: str) -> tuple[str | None, float]:
        match = process.extractOne(question, self.choices, scorer=fuzz.WRatio, processor=utils.default_process)
        return (self.owners[match[2]], match[1]) if match else (None, 0.0)


class BM25Baseline:
    """Plain Okapi BM25 (k1=1.5, b=0.75) over title, phrasings and answer; no stemming, typos or glossary."""

    def __init__(self, kb: KnowledgeBase, k1: float = 1.5, b: float = 0.75):
        self.kb = kb
        self.k1, self.b = k1, b
        self.docs = [Counter(self.tokens(" ".join((e.title, *e.questions, e.answer)))) for e in kb.entries]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = sum(self.lengths) / len(self.docs)
        df = Counter(term for doc in self.docs for term in doc)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    @staticmethod
    def tokens(text: str) -> list[str]:
        return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]

    def best(self, question: str) -> tuple[str | None, float]:
        query = self.tokens(question)
        best_id, best_score = None, 0.0
        for entry, doc, length in zip(self.kb.entries, self.docs, self.lengths, strict=True):
            score = 0.0
            for term in query:
                tf = doc.get(term, 0)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * length / self.average)
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            if score > best_score:
                best_id, best_score = entry.id, score
        return best_id, best_score


def best_threshold_report(name: str, cases: list[Case], baseline) -> tuple[Report, float]:
    """Evaluate at every useful threshold and keep the one with the best balanced accuracy."""
    raw = {case.question: baseline.best(case.question) for case in cases}

    def system_at(threshold: float):
        def system(case: Case) -> Outcome:
            entry_id, score = raw[case.question]
            if entry_id is None or score < threshold:
                return Outcome(entry=None, text="", score=score)
            return Outcome(entry=entry_id, text=baseline.kb.by_id[entry_id].answer, score=score)

        return system

    best: tuple[float, Report, float] | None = None
    for threshold in sorted({score for _, score in raw.values()} | {0.0}):
        report = evaluate(name, cases, system_at(threshold))
        balanced = (report.in_scope_accuracy + report.out_of_scope_accuracy) / 2
        if best is None or balanced > best[0]:
            best = (balanced, report, threshold)
    return best[1], best[2]
