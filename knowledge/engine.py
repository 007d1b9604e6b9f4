"""Hybrid retrieval over the curated entries.

BM25 finds candidates cheaply through an inverted index; glossary and synonym expansion let
"CiM" find "Careers in Medicine"; rapidfuzz repairs typos against the content's own vocabulary
and compares the question with each entry's phrasings. The confidence is a logistic model over
a few features (how much of the question an entry covers, how close it is to a phrasing, ...)
fitted on the development question set (benchmarks/calibrate.py), so that the threshold means
"probably right" and a student is never shown a guess.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.calendar import month_name
from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry
from knowledge.text import STOPWORDS, content_words, stem, terms, words

FIELD_WEIGHTS = {"title": 2.0, "questions": 1.0, "keywords": 1.5, "answer": 0.4}
K1 = 1.2
B = 0.6
EXPANSION_WEIGHT = 0.7
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 0.8  # edit similarity: one slip in a five-letter word, two in a ten-letter one
TYPO_CUTOFF_OTHER_INITIAL = 0.9  # typos seldom change a word's first letter
RERANK_DEPTH = 20
OTHER_PHASE_FACTOR = 0.85
OTHER_TRACK_FACTOR = 0.6
WEIGHT_CAP = 3.0  # a word rare in the content should not outweigh the rest of the question
ANSWER_ONLY_CREDIT = 0.5  # a word found only in an answer's prose is weaker evidence than in its phrasings
NEUTRAL_WEIGHT = 0.3  # specialty and place names: context, not the subject of the question
# Words of a follow-up question that ask about a subject without naming it ("when is it?", "how often?").
FOLLOW_UP_WORDS = frozenset("""
    when where who whom how why often long much many time times date dates day deadline due start starts
    begin end happen happens find sign register signup book booked take taking need needed mean means
    meet meeting work works go going get prepare ready next soon late early run runs running lead leads led host
    hosts hosted organize organizes organise organises charge teach teaches cost costs link email contact
    room place held online virtual zoom register apply signup sign one ones that those
""".split())


PHASE_TERMS = {"preclerkship": stem("preclerkship"), "pce": stem("pce"), "post-pce": stem("postpce")}  # as indexed
FEATURES = ("coverage", "phrasing_f1", "similarity", "relative_bm25")
CONFIDENCE_FEATURES = ("coverage", "phrasing_f1", "similarity", "margin", "unknown_share", "embedding")
CALIBRATION_FILE = Path(__file__).parent / "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """How candidates are ranked, and how sure the engine is of each.

    Ranking uses a weighted mix of features; confidence is a logistic model over the candidate's
    features and its margin over the runner-up, fitted so that it estimates the probability that
    the answer is right. Both are fitted on the development question set by benchmarks/calibrate.py.
    """

    mix: dict[str, float]
    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(mix=data["mix"], weights=data["weights"], bias=data["bias"], threshold=data["threshold"])

    def relevance(self, features: dict[str, float]) -> float:
        return sum(self.mix.get(name, 0.0) * features[name] for name in FEATURES)

    def confidence(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * features[name] for name in CONFIDENCE_FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class TermGroup:
    """One word the student typed, with the search terms that may stand for it and their weights."""

    word: str
    weight: float
    alternatives: dict[str, float]


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    relevance: float
    confidence: float
    features: dict[str, float]


@dataclass(frozen=True)
class SearchResult:
    candidates: tuple[Candidate, ...]  # best first
    threshold: float

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def confident(self) -> bool:
        return self.best is not None and self.best.confidence >= self.threshold


def _keywords(entry: Entry) -> tuple[str, ...]:
    """Curated keywords, plus an event's timing and months from the calendar ("is there one in July?")."""
    if entry.event is None:
        return entry.keywords
    months = " ".join(month_name(m) for m in entry.event.months)
    return (*entry.keywords, entry.event.timing, months)


def _entry_texts(entry: Entry) -> dict[str, tuple[str, ...]]:
    return {
        "title": (entry.title,),
        "questions": entry.questions,
        "keywords": _keywords(entry),
        "answer": (entry.answer,),
    }


class SearchEngine:
    """Built once per knowledge base; searching allocates only per-query state."""

    def __init__(self, kb: KnowledgeBase, calibration: Calibration | None = None, embeddings=None,
                 cache_dir: Path | None = None):
        """`embeddings`: an `Embeddings` to share, or whether to build one (default: when the calibration weighs
        the embedding feature; it costs start-up time, so only then). `cache_dir`: where its vectors persist."""
        self.kb = kb
        self.calibration = calibration or Calibration.load()
        if embeddings is None:
            embeddings = bool(self.calibration.weights.get("embedding"))
        if embeddings is True:
            from knowledge.embeddings import Embeddings

            embeddings = Embeddings(kb, cache_dir=cache_dir)
        self.embeddings = embeddings or None
        self.entries = kb.entries
        self._index_by_id = {entry.id: index for index, entry in enumerate(self.entries)}
        self._entry_terms: list[frozenset[str]] = []
        self._phrasing_terms: list[frozenset[str]] = []
        self._phrasings: list[tuple[str, ...]] = []
        self._phrasing_sets: list[tuple[frozenset[str], ...]] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._words_by_length: dict[int, list[str]] = defaultdict(list)
        self._word_stem: dict[str, str] = {}
        self._build_index()
        self._expansions = self._build_expansions()

    def _build_index(self) -> None:
        frequencies: list[Counter[str]] = []
        for entry in self.entries:
            weighted: Counter[str] = Counter()
            strong: set[str] = set()  # terms from the title, phrasings and keywords
            phrasing_terms: list[list[str]] = []  # the title and each phrasing, as terms
            for field_name, texts in _entry_texts(entry).items():
                for text in texts:
                    text_terms = [self._word_stem.setdefault(word, stem(word)) for word in content_words(text)]
                    for term in text_terms:
                        weighted[term] += FIELD_WEIGHTS[field_name]
                    if field_name != "answer":
                        strong.update(text_terms)
                    if field_name in ("title", "questions") and text_terms:
                        phrasing_terms.append(text_terms)
            frequencies.append(weighted)
            self._entry_terms.append(frozenset(weighted))
            self._phrasing_terms.append(frozenset(strong))
            self._phrasings.append(tuple(" ".join(t) for t in phrasing_terms))
            self._phrasing_sets.append(tuple(frozenset(t) for t in phrasing_terms))
        count = len(frequencies) or 1
        average_length = sum(sum(f.values()) for f in frequencies) / count or 1.0
        document_frequency: Counter[str] = Counter()
        for weighted in frequencies:
            document_frequency.update(weighted.keys())
        self._idf = {
            term: math.log(1.0 + (count - df + 0.5) / (df + 0.5)) for term, df in document_frequency.items()
        }
        for index, weighted in enumerate(frequencies):
            length_norm = 1.0 - B + B * sum(weighted.values()) / average_length
            for term, tf in weighted.items():
                impact = self._idf[term] * tf * (K1 + 1.0) / (tf + K1 * length_norm)
                self._postings[term].append((index, impact))
        for word in self._word_stem:
            if word.isalpha() and len(word) >= TYPO_MIN_LENGTH - 1:
                self._words_by_length[len(word)].append(word)

    def _build_expansions(self) -> dict[tuple[str, ...], dict[str, float]]:
        """Word sequences (abbreviations, their expansions, synonyms) -> extra weighted terms."""
        expansions: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)

        def link(phrase: str, meaning: str) -> None:
            key = tuple(words(phrase))
            if key:
                for term in terms(meaning):
                    expansions[key].setdefault(term, EXPANSION_WEIGHT)

        for item in self.kb.glossary:
            for name in (item.term, *item.aliases):
                link(name, item.expansion)
                link(item.expansion, name)
        for synonym in self.kb.synonyms:
            for meaning in synonym.means:
                link(synonym.word, meaning)
        return dict(expansions)

    def _repair(self, word: str) -> str | None:
        """The content word a typo most likely meant, if one is close enough."""
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return None
        pool = [
            candidate
            for length in range(len(word) - 2, len(word) + 3)
            for candidate in self._words_by_length.get(length, ())
        ]
        for candidate, score, _ in process.extract(word, pool, scorer=OSA.normalized_similarity,
                                                   score_cutoff=TYPO_CUTOFF, limit=5):
            if candidate[0] == word[0] or score >= TYPO_CUTOFF_OTHER_INITIAL:
                return candidate
        return None

    def follows_up(self, question: str, entry_id: str) -> bool:
        """Whether every word of `question` is either the entry's own or a bare follow-up word.

        "when is it?" or "how do I sign up for the survey?" under a nudge about the CiM survey qualify;
        "what's the weather?" does not, so a new subject is never answered with the nudge's topic.
        """
        index = self._index_by_id[entry_id]
        return all(group.word in FOLLOW_UP_WORDS or stem(group.word) in FOLLOW_UP_WORDS
                   or any(term in self._entry_terms[index] for term in group.alternatives)
                   for group in self.term_groups(question))

    def names_nothing(self, question: str) -> bool:
        """Whether the question only asks ("when is it?", "who runs that?") without naming any subject."""
        return all(group.word in FOLLOW_UP_WORDS or stem(group.word) in FOLLOW_UP_WORDS
                   for group in self.term_groups(question))

    def term_groups(self, question: str) -> list[TermGroup]:
        tokens = words(question)
        groups: dict[str, TermGroup] = {}
        for position, word in enumerate(tokens):
            if word in STOPWORDS:
                continue
            term = stem(word)
            neutral = word in self.kb.neutral_words
            alternatives: dict[str, float] = {}
            weight = WEIGHT_CAP  # an unknown word counts fully against every entry
            if term in self._idf:
                alternatives[term] = 1.0
                weight = self._weight(term)
            elif not neutral and (repaired := self._repair(word)):
                term = self._word_stem[repaired]
                alternatives[term] = 0.9
                weight = self._weight(term)
            for span in (3, 2, 1):
                phrase = tuple(tokens[position : position + span])
                for extra, extra_weight in self._expansions.get(phrase, {}).items():
                    if extra in self._idf:
                        alternatives.setdefault(extra, extra_weight)
            if neutral:
                weight = NEUTRAL_WEIGHT
            if term not in groups:
                groups[term] = TermGroup(word=word, weight=weight, alternatives=alternatives)
        return list(groups.values())

    def _coverage(self, groups: list[TermGroup], index: int) -> float:
        """Share of the question's weight this entry accounts for (phrasing matches count in full)."""
        strong, anywhere = self._phrasing_terms[index], self._entry_terms[index]
        total = sum(group.weight for group in groups)
        if not total:
            return 0.0

        def credit(term: str, weight: float) -> float:
            if term in strong:
                return weight
            return weight * ANSWER_ONLY_CREDIT if term in anywhere else 0.0

        matched = sum(
            group.weight * max((credit(t, w) for t, w in group.alternatives.items()), default=0.0)
            for group in groups
        )
        return matched / total

    def _similarity(self, groups: list[TermGroup], index: int) -> float:
        """How close the question, as a string, is to the entry's nearest phrasing (typos included)."""
        query = " ".join(max(g.alternatives, key=g.alternatives.get) if g.alternatives else g.word for g in groups)
        return max((fuzz.token_sort_ratio(query, p) for p in self._phrasings[index]), default=0.0) / 100.0

    def _phrasing_match(self, groups: list[TermGroup], index: int) -> tuple[float, float]:
        """Against the best-matching phrasing: the share of the question it covers and of it the question covers."""
        total = sum(group.weight for group in groups) or 1.0
        best = (0.0, 0.0)
        for phrasing in self._phrasing_sets[index]:
            matched_terms: set[str] = set()
            recall = 0.0
            for group in groups:
                hits = [(w, t) for t, w in group.alternatives.items() if t in phrasing]
                if hits:
                    weight, term = max(hits)
                    recall += group.weight * weight
                    matched_terms.add(term)
            phrasing_weight = sum(self._weight(t) for t in phrasing) or 1.0
            precision = sum(self._weight(t) for t in matched_terms) / phrasing_weight
            recall /= total
            if recall + precision > sum(best):
                best = (recall, precision)
        return best

    def _weight(self, term: str) -> float:
        return min(self._idf.get(term, WEIGHT_CAP), WEIGHT_CAP)

    def features(self, groups: list[TermGroup], index: int, bm25: float, top_bm25: float) -> dict[str, float]:
        recall, precision = self._phrasing_match(groups, index)
        return {
            "relative_bm25": bm25 / top_bm25 if top_bm25 else 0.0,
            "coverage": self._coverage(groups, index),
            "phrasing_f1": 2 * recall * precision / (recall + precision) if recall + precision else 0.0,
            "similarity": self._similarity(groups, index),
        }

    def _within(self, index: int, phase: str | None, track: str | None) -> bool:
        """For the track, and for the phase or about it ("planning for Post-PCE" is a PCE entry about Post-PCE)."""
        entry = self.entries[index]
        return entry.applies_to_track(track) and (
            entry.applies_to_phase(phase) or PHASE_TERMS.get(phase or "") in self._phrasing_terms[index])

    @staticmethod
    def profile_factor(entry: Entry, phase: str | None, track: str | None) -> float:
        factor = 1.0
        if not entry.applies_to_phase(phase):
            factor *= OTHER_PHASE_FACTOR
        if not entry.applies_to_track(track):
            factor *= OTHER_TRACK_FACTOR
        return factor

    def search(self, question: str, phase: str | None = None, track: str | None = None, limit: int = 4,
               only_phase: str | None = None, only_track: str | None = None) -> SearchResult:
        """Best entries first. `phase` and `track` prefer the student's entries; `only_phase` and `only_track`
        (named in the question, or the student's track) rule the others out: never the other track's answer."""
        groups = self.term_groups(question)
        scores: defaultdict[int, float] = defaultdict(float)
        for group in groups:
            best_for_group: dict[int, float] = {}
            for term, weight in group.alternatives.items():
                for index, impact in self._postings.get(term, ()):
                    if weight * impact > best_for_group.get(index, 0.0):
                        best_for_group[index] = weight * impact
            for index, value in best_for_group.items():
                scores[index] += value
        if only_phase or only_track:
            scores = defaultdict(float, {index: score for index, score in scores.items()
                                         if self._within(index, only_phase, only_track)})
        shortlist = sorted(
            scores,
            key=lambda i: scores[i] * self.profile_factor(self.entries[i], phase, track),
            reverse=True,
        )[:RERANK_DEPTH]
        top_bm25 = max(scores.values(), default=0.0)
        total = sum(group.weight for group in groups) or 1.0
        unknown_share = sum(g.weight for g in groups if not g.alternatives) / total
        closeness = self.embeddings.closeness(question) if self.embeddings is not None and shortlist else None
        scored = []
        for index in shortlist:
            features = self.features(groups, index, scores[index], top_bm25)
            features["unknown_share"] = unknown_share
            features["embedding"] = float(closeness[index]) if closeness is not None else 0.0
            ranking = self.calibration.relevance(features) * self.profile_factor(self.entries[index], phase, track)
            scored.append((ranking, index, features))
        scored.sort(key=lambda item: item[0], reverse=True)
        ranked = []
        for position, (ranking, index, features) in enumerate(scored[:limit]):
            rival = scored[1][0] if position == 0 and len(scored) > 1 else (scored[0][0] if position else 0.0)
            features["margin"] = ranking - rival
            ranked.append(Candidate(self.entries[index], ranking, self.calibration.confidence(features), features))
        return SearchResult(
            candidates=tuple(ranked),
            threshold=self.calibration.threshold,
        )
