"""Two candidate extra signals for ranking and confidence, built from the knowledge base alone.

* `PhrasingClassifier`: the way Rasa's and Azure's intent classifiers work: TF-IDF over word 1-2-grams
  and char_wb 2-5-grams of each entry's title, phrasings and keywords (one training example per text,
  labelled with the entry id), and a multinomial logistic regression over them (scikit-learn).
* `EmbeddingSignal`: static word embeddings averaged per text (wordllama, whose 256-dimension
  weights and tokenizer ship inside its wheel), cosine of the question with each entry's nearest
  phrasing or title, and with its answer.

Both are optional: `benchmarks.ranker_signals` evaluates them and reports the cost, and neither
downloads anything at run time (`load_wordllama` refuses to).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry

if TYPE_CHECKING:
    import numpy as np


def entry_texts(entry: Entry, *, answer: bool = False) -> list[str]:
    """The texts that stand for an entry: its title, phrasings, keywords (one text) and optionally its answer."""
    texts = [entry.title, *entry.questions]
    if entry.keywords:
        texts.append(" ".join(entry.keywords))
    if answer:
        texts.append(entry.answer)
    return texts


class PhrasingClassifier:
    """P(entry | question): a linear classifier over word and character n-grams of the entries' phrasings."""

    def __init__(self, kb: KnowledgeBase, *, answer: bool = False, c: float = 10.0):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion

        self.ids = [entry.id for entry in kb.entries]
        texts: list[str] = []
        labels: list[int] = []
        for index, entry in enumerate(kb.entries):
            for text in entry_texts(entry, answer=answer):
                texts.append(text)
                labels.append(index)
        self.vectorizer = FeatureUnion([
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
        ])
        matrix = self.vectorizer.fit_transform(texts)
        self.model = LogisticRegression(C=c, max_iter=2000)
        self.model.fit(matrix, labels)
        # LogisticRegression orders its classes; every entry has at least one text, so all are present.
        assert list(self.model.classes_) == list(range(len(self.ids)))

    def scores(self, question: str) -> np.ndarray:
        """One probability per entry, in the knowledge base's order."""
        return self.model.predict_proba(self.vectorizer.transform([question]))[0]


def load_wordllama(dim: int = 256) -> Any:
    """The wordllama model bundled in its wheel, never a download (see knowledge/embeddings.py)."""
    from knowledge.embeddings import load_model

    return load_model(dim)


class EmbeddingSignal:
    """Cosine of the question with each entry's nearest phrasing (or title or keywords), and with its answer."""

    def __init__(self, kb: KnowledgeBase, model: Any | None = None):
        from knowledge.embeddings import Embeddings

        self.scores = Embeddings(kb, model).parts


def fit_logistic(rows: Sequence[Sequence[float]], labels: Sequence[int]) -> list[float]:
    """L2-regularised logistic regression, as benchmarks.calibrate fits the engine's; the last weight is the bias."""
    from benchmarks.calibrate import fit_logistic as fit

    return fit([(list(features), label) for features, label in zip(rows, labels, strict=True)])


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
