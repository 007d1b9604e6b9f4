"""How close a question is in meaning to each entry: static word embeddings, one confidence signal.

wordllama's 256-dimension embeddings ship inside its wheel, so nothing is downloaded at run time
(`WordLlama.load()` would try to fetch its tokenizer: it is pointed at the package folder with
downloads disabled). Measured in BENCHMARKS.md ("A stronger, measured ranker"): as a ranking
signal it did not help, as a confidence feature it separates right answers from questions to
decline better on the blind set, for 0.1 ms a question.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

import numpy as np

from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry

log = logging.getLogger(__name__)
_BOLD = re.compile(r"\*\*")
ANSWER_SHARE = 0.5  # the answer's prose counts half as much as the ways the entry is asked


def prose(markdown: str) -> str:
    """An answer as the model and the confidence fit (benchmarks/calibrate.py) were fitted on it: the entries were
    written with single-star bold before they became neutral Markdown, and the model reads `**` as its own token.
    Dropping the markup altogether would need the fit redone on the development set."""
    return _BOLD.sub("*", markdown)


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

    def __init__(self, kb: KnowledgeBase, model=None, cache_dir: Path | None = None):
        """`cache_dir`: where the entries' vectors are kept between runs, keyed by the model and every text, so a
        new process (`advisor ask`) skips embedding the whole knowledge base again."""
        self.model = model or load_model()
        owners, texts = [], []
        for index, entry in enumerate(kb.entries):
            for text in _texts(entry):
                owners.append(index)
                texts.append(text)
        answers = [prose(entry.answer) for entry in kb.entries]
        self.count = len(kb.entries)
        self.owners = np.asarray(owners)
        cache = _VectorCache(cache_dir, self.model, texts, answers) if cache_dir else None
        cached = cache.read() if cache else None
        if cached is None:
            cached = self._embed(texts), self._embed(answers)
            if cache:
                cache.write(*cached)
        self.phrasings, self.answers = cached

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


class _VectorCache:
    """One file of vectors for one model and one set of texts; any other content or model gets a new file and
    the old ones are removed. A file that cannot be read is rebuilt, never trusted."""

    PREFIX = "entry-vectors-"

    def __init__(self, folder: Path, model, phrasings: list[str], answers: list[str]):
        digest = hashlib.sha256(f"{model.embedding.shape}".encode() + model.embedding[:64].tobytes())  # the model
        for text in (*phrasings, "\x00", *answers):
            digest.update(text.encode("utf-8") + b"\x1f")
        self.folder = folder
        self.path = folder / f"{self.PREFIX}{digest.hexdigest()[:24]}.npz"
        self.sizes = (len(phrasings), len(answers))

    def read(self) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                vectors = saved["phrasings"], saved["answers"]
        except (OSError, KeyError, ValueError):
            return None
        return vectors if (len(vectors[0]), len(vectors[1])) == self.sizes else None

    def write(self, phrasings: np.ndarray, answers: np.ndarray) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(temporary, phrasings=phrasings, answers=answers)
            os.replace(temporary, self.path)
            for old in self.folder.glob(f"{self.PREFIX}*.npz"):
                if old != self.path:
                    old.unlink(missing_ok=True)
        except OSError as error:  # a read-only data folder costs start-up time, nothing else
            log.warning("entry vectors not cached in %s: %s", self.folder, error.strerror or error)
