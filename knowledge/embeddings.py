"""How close a question is in meaning to each entry: static word embeddings, one confidence signal.

wordllama's 256-dimension embeddings ship inside its wheel, so nothing is downloaded at run time
(`WordLlama.load()` would try to fetch its tokenizer: it is pointed at the package folder with
downloads disabled). Measured in BENCHMARKS.md ("A stronger, measured ranker"): as a ranking
signal it did not help, as a confidence feature it separates right answers from questions to
decline better on the blind set, for 0.1 ms a question.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry

ANSWER_SHARE = 0.5  # the answer's prose counts half as much as the ways the entry is asked


def _texts(entry: Entry) -> list[str]:
    return [entry.title, *entry.questions, *([" ".join(entry.keywords)] if entry.keywords else [])]


def load_model(dim: int = 256):
    """The model in wordllama's wheel. Importing wordllama calls `logging.basicConfig(level=INFO)`, which
    would take over the root logger (and with it the bot's one-line, escaped log format): undone here."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
        from wordllama import WordLlama
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, dim=dim, disable_download=True)


class Embeddings:
    """Each entry's phrasings and answer embedded once; a question costs one embedding and two products."""

    def __init__(self, kb: KnowledgeBase, model=None):
        self.model = model or load_model()
        owners, texts = [], []
        for index, entry in enumerate(kb.entries):
            for text in _texts(entry):
                owners.append(index)
                texts.append(text)
        self.count = len(kb.entries)
        self.owners = np.asarray(owners)
        self.phrasings = self._embed(texts)
        self.answers = self._embed([entry.answer for entry in kb.entries])

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.model.embed(texts, norm=True).astype("float32")

    def parts(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: the best cosine with its title, phrasings or keywords; and the cosine with its answer."""
        vector = self._embed([question])[0]
        best = np.full(self.count, -1.0, dtype="float32")
        np.maximum.at(best, self.owners, self.phrasings @ vector)
        return best, self.answers @ vector

    def closeness(self, question: str) -> np.ndarray:
        """Per entry: how the question is asked like it, plus half how close it is to what it says."""
        phrasings, answer = self.parts(question)
        return phrasings + ANSWER_SHARE * answer
