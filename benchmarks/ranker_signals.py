"""Do extra signals lift the engine's ranking or confidence on questions nobody tuned it on?

    python -m benchmarks.ranker_signals            # all tables (about six minutes on two cores)
    python -m benchmarks.ranker_signals --no-cost  # without the fresh-process cost measurements

Why: the engine (BM25 + rapidfuzz, logistic confidence) is fitted on the development questions.
The issue asks whether what other intent matchers use would add to it: a linear classifier over
word and character n-grams of the entries' phrasings (as Rasa's and Azure's intent classifiers
work; scikit-learn) and static embeddings shipped inside a wheel (wordllama; nothing downloaded).
See benchmarks/signals.py. Each is scored alone, as a reranker of the engine's 20 candidates
(relevance + w * signal), and as one more feature of a logistic confidence over the engine's own.
Either is skipped, with a message, when its package is not installed.

Nothing is chosen on the held-out or blind sets. Two fitting protocols:

A. The engine ranks every question of dev_questions.yaml right (it was tuned on them), so that set
   cannot tell one reranking weight from another. The weights are fitted on the knowledge base's own
   phrasings, 5-fold ("phrasing CV": each fold's phrasings are removed from the content, the engine
   and the signals rebuilt without them, and the removed phrasings asked), admitting only weights
   that keep every dev question the engine alone ranks right. Confidence is fitted on dev.
B. Weights and confidence fitted on all the development questions: dev_questions.yaml and the
   chat-style dev_chat_questions.yaml (skipped when that file is missing).

Ranking weights maximise top-1 (then top-3, then the smaller weight). Confidence models are logistic
regressions (1 = the best candidate is right, 0 = wrong, out of scope or a near miss), as
benchmarks.calibrate fits the engine's, with the threshold at the best balanced accuracy. The
held-out set and the blind set (whose near misses must be declined too) are then scored once.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import itertools
import random
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from benchmarks.signals import EmbeddingSignal, PhrasingClassifier, fit_logistic, load_wordllama, sigmoid
from knowledge.engine import CONFIDENCE_FEATURES, SearchEngine
from knowledge.evaluation import Case, load_cases
from knowledge.loader import KnowledgeBase, load_knowledge
from support import QUESTIONS_DIR

ROOT = Path(__file__).resolve().parent.parent
SETS = {"dev": "dev_questions.yaml", "dev_chat": "dev_chat_questions.yaml", "heldout": "heldout_questions.yaml",
        "blind": "blind_questions.yaml"}
NOT_RETRIEVAL = frozenset({"calendar", "checklist", "not-in-kb"})
DEPTH = 20  # candidates the engine hands to a reranker
FOLDS = 5
WEIGHTS = [round(0.05 * step, 2) for step in range(61)]  # 0 .. 3
PAIR_WEIGHTS = [round(0.15 * step, 2) for step in range(21)]  # 0 .. 3, for two signals at once
CLASSIFIER_VARIANTS = [(answer, c) for answer in (False, True) for c in (10.0, 30.0, 100.0)]
ANSWER_MIXES = (0.0, 0.25, 0.5)  # embedding signal = nearest phrasing + a * answer


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # "in" (answerable), "out" (out of scope) or "near" (near miss: must be declined)
    expect: tuple[str, ...] = ()
    fact: str | None = None
    phase: str | None = None
    track: str | None = None


@dataclass(frozen=True)
class Candidate:
    index: int  # the entry's position in the knowledge base
    relevance: float
    confidence: float
    features: dict[str, float]


@dataclass
class Row:
    """One question: the engine's candidates, which entries are right, and every signal over all entries."""

    question: Question
    candidates: list[Candidate]
    right: frozenset[int]
    signals: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    name: str
    weights: dict[str, float]  # signal name -> weight; empty for the engine alone
    alone: str | None = None  # rank all entries by this signal alone, without the engine


@dataclass(frozen=True)
class Top:
    index: int | None
    right: bool
    features: dict[str, float]  # the engine's confidence features, margin under this ranking, signals
    engine_confidence: float


# ---------------------------------------------------------------- question sets


def load_questions(path: Path) -> list[Question]:
    """Answerable questions that some entry answers (not the calendar or checklist alone), out of scope, near misses."""
    questions = []
    for case in load_cases(path):
        expect = tuple(e for e in case.expect if e not in NOT_RETRIEVAL)
        if case.in_scope and not expect:
            continue
        kind = "in" if case.in_scope else "near" if getattr(case, "near_miss", False) else "out"
        questions.append(Question(case.question, kind, expect, case.fact, case.phase, case.track))
    if "near_miss" not in {f.name for f in dataclasses.fields(Case)}:  # an older load_cases skips them
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        questions.extend(Question(str(item["q"]), "near") for item in data.get("near_miss") or ())
    return questions


def right_entries(kb: KnowledgeBase, question: Question) -> frozenset[int]:
    fact = question.fact.casefold() if question.fact is not None else None
    return frozenset(index for index, entry in enumerate(kb.entries)
                     if entry.id in question.expect and (fact is None or fact in entry.answer.casefold()))


# ---------------------------------------------------------------- signals


@dataclass
class Signals:
    """The signals built over one knowledge base: name -> question -> one score per entry."""

    scorers: dict[str, Callable[[str], list[float]]]

    def score(self, text: str) -> dict[str, list[float]]:
        return {name: scorer(text) for name, scorer in self.scorers.items()}


def clf_name(answer: bool, c: float) -> str:
    return f"clf[{'+answer' if answer else 'phrasings'},C={c:g}]"


def emb_name(mix: float) -> str:
    return f"emb[phrasing+{mix:g}*answer]"


def build_signals(kb: KnowledgeBase, classifiers: Sequence[tuple[bool, float]], mixes: Sequence[float],
                  embedding_model: object | None) -> Signals:
    scorers: dict[str, Callable[[str], list[float]]] = {}
    for answer, c in classifiers:
        classifier = PhrasingClassifier(kb, answer=answer, c=c)
        scorers[clf_name(answer, c)] = lambda text, model=classifier: model.scores(text).tolist()
    if embedding_model is not None and mixes:
        embedding = EmbeddingSignal(kb, embedding_model)
        cache: dict[str, tuple[list[float], list[float]]] = {}

        def both(text: str) -> tuple[list[float], list[float]]:
            if text not in cache:
                phrasing, answer = embedding.scores(text)
                cache[text] = (phrasing.tolist(), answer.tolist())
            return cache[text]

        for mix in mixes:
            scorers[emb_name(mix)] = lambda text, a=mix: [p + a * s for p, s in zip(*both(text), strict=True)]
    return Signals(scorers)


def make_row(kb: KnowledgeBase, engine: SearchEngine, signals: Signals, question: Question,
             right: frozenset[int] | None = None) -> Row:
    position = {entry.id: index for index, entry in enumerate(kb.entries)}
    result = engine.search(question.text, phase=question.phase, track=question.track, limit=DEPTH)
    candidates = [Candidate(position[c.entry.id], c.relevance, c.confidence, dict(c.features))
                  for c in result.candidates]
    return Row(question, candidates, right if right is not None else right_entries(kb, question),
               signals.score(question.text))


def phrasing_cv_rows(kb: KnowledgeBase, classifiers: Sequence[tuple[bool, float]], mixes: Sequence[float],
                     embedding_model: object | None) -> list[Row]:
    """Each fold's phrasings removed from the content, the engine and signals rebuilt, the phrasings asked."""
    rows = []
    for fold in range(FOLDS):
        held: list[tuple[str, int]] = []
        entries = []
        for index, entry in enumerate(kb.entries):
            kept = tuple(q for q in entry.questions if zlib.crc32(q.encode()) % FOLDS != fold)
            held.extend((q, index) for q in entry.questions if q not in kept)
            entries.append(entry.model_copy(update={"questions": kept}))
        reduced = dataclasses.replace(kb, entries=tuple(entries))
        engine = SearchEngine(reduced)
        signals = build_signals(reduced, classifiers, mixes, embedding_model)
        rows.extend(make_row(reduced, engine, signals, Question(text, "in", (kb.entries[index].id,)),
                             frozenset({index})) for text, index in held)
    return rows


# ---------------------------------------------------------------- ranking


def ranking(row: Row, config: Config) -> list[tuple[float, int, Candidate | None]]:
    """(score, entry index, engine candidate or None), best first."""
    if config.alone is not None:
        by_index = {c.index: c for c in row.candidates}
        scores = row.signals[config.alone]
        return sorted(((s, i, by_index.get(i)) for i, s in enumerate(scores)), key=lambda item: -item[0])
    scored = [(c.relevance + sum(w * row.signals[name][c.index] for name, w in config.weights.items()), c.index, c)
              for c in row.candidates]
    return sorted(scored, key=lambda item: -item[0])  # stable: ties keep the engine's order


def top(row: Row, config: Config) -> Top:
    order = ranking(row, config)
    if not order:
        return Top(None, False, {n: 0.0 for n in [*CONFIDENCE_FEATURES, *row.signals]}, 0.0)
    score, index, candidate = order[0]
    features = {n: (candidate.features.get(n, 0.0) if candidate else 0.0) for n in CONFIDENCE_FEATURES}
    features["margin"] = score - order[1][0] if len(order) > 1 else score
    if config.alone is None and not config.weights:
        features["margin"] = candidate.features["margin"] if candidate else 0.0
    for name in row.signals:
        features[name] = row.signals[name][index]
    return Top(index, index in row.right, features, candidate.confidence if candidate else 0.0)


def top_k(rows: Iterable[Row], config: Config, k: int) -> float:
    rows = [row for row in rows if row.question.kind == "in"]
    hits = sum(any(index in row.right for _, index, _ in ranking(row, config)[:k]) for row in rows)
    return hits / len(rows) if rows else float("nan")


def changes(rows: list[Row], config: Config) -> str:
    """Answerable questions whose best candidate this ranker makes right / wrong, against the engine alone."""
    engine = Config("engine alone", {})
    pairs = [(top(row, engine).right, top(row, config).right) for row in rows if row.question.kind == "in"]
    return f"+{sum(not e and c for e, c in pairs)} / -{sum(e and not c for e, c in pairs)}"


def fit_weights(tuning: list[Row], guard: list[Row], names: Sequence[str],
                grid: Sequence[float]) -> tuple[dict[str, float], float]:
    """The weights with the most tuning questions ranked right (then top-3, then the smallest weights),
    among those that keep every guard question the engine alone ranks right (no guard: no constraint)."""
    tuning = [row for row in tuning if row.question.kind == "in"]
    guard = [row for row in guard if row.question.kind == "in"]
    engine_right = [row for row in guard if top(row, Config("engine", {})).right]
    best: tuple[tuple[float, float, float], dict[str, float]] | None = None
    grids: list[list[float]] = [[]]
    for _ in names:
        grids = [[*g, w] for g in grids for w in grid]
    for values in grids:
        config = Config("", dict(zip(names, values, strict=True)))
        if not all(top(row, config).right for row in engine_right):
            continue
        key = (top_k(tuning, config, 1), top_k(tuning, config, 3), -sum(values))
        if best is None or key > best[0]:
            best = (key, config.weights)
    assert best is not None  # all-zero weights are the engine itself, which passes the guard
    return best[1], best[0][0]


# ---------------------------------------------------------------- confidence


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """P(a positive scores above a negative), ties counting half (Mann-Whitney, by ranks)."""
    if not positives or not negatives:
        return float("nan")
    values = sorted([(v, 1) for v in positives] + [(v, 0) for v in negatives])
    rank_sum, start = 0.0, 0
    while start < len(values):
        end = start
        while end < len(values) and values[end][0] == values[start][0]:
            end += 1
        rank_sum += (start + end + 1) / 2 * sum(label for _, label in values[start:end])  # mean rank of the tie
        start = end
    return (rank_sum - len(positives) * (len(positives) + 1) / 2) / (len(positives) * len(negatives))


def auc_gain(base: list[tuple[str, bool, float]], other: list[tuple[str, bool, float]],
             resamples: int = 2000) -> tuple[float, float, float]:
    """AUC(other) - AUC(base) over the same questions, with a paired bootstrap 95% interval."""
    generator = random.Random(14)
    gains = []
    for _ in range(resamples):
        picks = [generator.randrange(len(base)) for _ in base]
        gains.append(pooled([other[i] for i in picks]) - pooled([base[i] for i in picks]))
    gains.sort()
    return pooled(other) - pooled(base), gains[int(0.025 * resamples)], gains[int(0.975 * resamples) - 1]


def pooled(scored: list[tuple[str, bool, float]]) -> float:
    return auc([c for k, r, c in scored if k == "in" and r], [c for k, _, c in scored if k != "in"])


@dataclass(frozen=True)
class Confidence:
    """A way to score the best candidate: a name, the features it reads and, once fitted, a threshold."""

    name: str
    score: Callable[[Top], float]


FITTED: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}  # (protocol, ranker, features) -> weights, bias last


def logistic(features: Sequence[str], rows: list[Row], config: Config, tag: str) -> Callable[[Top], float]:
    """P(the best candidate is right) from its features, fitted on `rows` (out of scope and near misses: 0)."""
    tops = [top(row, config) for row in rows]
    beta = fit_logistic([[t.features[n] for n in features] for t in tops], [int(t.right) for t in tops])
    FITTED[(tag, config.name, tuple(features))] = beta
    return lambda t: sigmoid(sum(b * t.features[n] for b, n in zip(beta, features, strict=False)) + beta[-1])


def outcomes(rows: list[Row], config: Config, score: Callable[[Top], float]) -> list[tuple[str, bool, float]]:
    """(kind, is the best candidate right, its confidence) per question."""
    result = []
    for row in rows:
        t = top(row, config)
        result.append((row.question.kind, t.right, score(t)))
    return result


def decided(scored: list[tuple[str, bool, float]], threshold: float) -> dict[str, float]:
    """Share of answerable questions answered right, and of out-of-scope and near-miss ones declined."""
    shares = {}
    for kind in ("in", "out", "near"):
        items = [(right, conf) for k, right, conf in scored if k == kind]
        if not items:
            shares[kind] = float("nan")
        elif kind == "in":
            shares[kind] = sum(right and conf >= threshold for right, conf in items) / len(items)
        else:
            shares[kind] = sum(conf < threshold for _, conf in items) / len(items)
    return shares


def best_threshold(scored: list[tuple[str, bool, float]]) -> float:
    """The threshold with the best balanced accuracy on these questions: answered right, and declined (out of scope
    and near misses together)."""
    candidates = sorted({conf for _, _, conf in scored})
    cuts = [(a + b) / 2 for a, b in itertools.pairwise(candidates)] or candidates

    answerable = [(right, conf) for kind, right, conf in scored if kind == "in"]
    declinable = [conf for kind, _, conf in scored if kind != "in"]

    def balanced(threshold: float) -> float:
        answered = sum(right and conf >= threshold for right, conf in answerable) / len(answerable)
        return (answered + sum(conf < threshold for conf in declinable) / len(declinable)) / 2

    return max(cuts, key=lambda t: (balanced(t), -abs(t - 0.5)))


def separations(scored: list[tuple[str, bool, float]]) -> tuple[float, float, float]:
    """AUC of "best candidate right" answerable questions against out-of-scope and near-miss ones together,
    against out-of-scope ones, and against near misses."""
    positives = [c for k, r, c in scored if k == "in" and r]
    return (auc(positives, [c for k, _, c in scored if k != "in"]),
            auc(positives, [c for k, _, c in scored if k == "out"]),
            auc(positives, [c for k, _, c in scored if k == "near"]))


def confidence_methods(config: Config, protocol: Protocol,
                       signals: list[str]) -> list[tuple[str, Callable[[Top], float]]]:
    """The confidences to compare for a ranker: the signal alone, or the engine's, refitted, and with the signals."""
    if config.alone:
        return [("signal of the best entry", lambda t, n=config.alone: t.features[n])]
    extra = list(config.weights) or signals

    def fit(features: Sequence[str]) -> Callable[[Top], float]:
        return logistic(features, protocol.fit, config, protocol.name)

    methods: list[tuple[str, Callable[[Top], float]]] = [("engine confidence", lambda t: t.engine_confidence),
                                                          ("logistic: engine features", fit(CONFIDENCE_FEATURES))]
    methods.extend((f"logistic: engine features + {n}", fit([*CONFIDENCE_FEATURES, n])) for n in extra)
    if len(extra) > 1:
        methods.append(("logistic: engine features + both", fit([*CONFIDENCE_FEATURES, *extra])))
    return methods


# ---------------------------------------------------------------- cost


def fresh(code: str, runs: int = 3) -> list[str]:
    """The last output line of `code` run in fresh interpreters, one per run."""
    lines = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        lines.append(output.stdout.strip().splitlines()[-1])
    return lines


IMPORT_CODE = "import time; t = time.perf_counter(); {imports}; print(time.perf_counter() - t)"
BUILD_CODE = """
import time
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
from knowledge.engine import SearchEngine
from knowledge.loader import load_knowledge
kb = load_knowledge(); engine = SearchEngine(kb); engine.search('warm up')
before = rss(); t = time.perf_counter()
{build}
built = time.perf_counter() - t
signal('how do I find a research mentor')
print(built, rss() - before)
"""
BUILDS = {
    "classifier": ("import sklearn.linear_model, sklearn.feature_extraction.text, sklearn.pipeline",
                   "from benchmarks.signals import PhrasingClassifier\n"
                   "signal = PhrasingClassifier(kb, answer={answer}, c={c}).scores"),
    "embeddings": ("from wordllama import WordLlama",
                   "from benchmarks.signals import EmbeddingSignal\nsignal = EmbeddingSignal(kb).scores"),
}


def cost_rows(available: dict[str, bool], classifiers: list[tuple[bool, float]]) -> list[list[str]]:
    """Import time, build time and the memory the signal adds to a process that has the engine, each fresh."""
    engine_import = median(fresh(IMPORT_CODE.format(imports="import knowledge.engine")))
    rows = [["engine (import knowledge.engine)", f"{engine_import:.2f}", "", ""]]
    builds = [("embeddings", "", "")] if available["embeddings"] else []
    if available["classifier"]:
        builds = [("classifier", answer, c) for answer, c in classifiers] + builds
    for name, answer, c in builds:
        imports, build = BUILDS[name]
        code = BUILD_CODE.format(build=build.format(answer=answer, c=c))
        runs = [tuple(float(x) for x in line.split()) for line in fresh(code)]
        label = clf_name(bool(answer), float(c)) if name == "classifier" else f"{name} (wordllama 256-d)"
        rows.append([label, f"{median(fresh(IMPORT_CODE.format(imports=imports))):.2f}",
                     f"{statistics.median(r[0] for r in runs):.2f}", f"{statistics.median(r[1] for r in runs):.0f}"])
    return rows


def median(lines: list[str]) -> float:
    return statistics.median(float(line) for line in lines)


def latency(function: Callable[[str], object], texts: Sequence[str]) -> float:
    """Mean milliseconds per question."""
    start = time.perf_counter()
    for text in texts:
        function(text)
    return (time.perf_counter() - start) / len(texts) * 1000


# ---------------------------------------------------------------- report


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def pct(value: float) -> str:
    return "n/a" if value != value else f"{value:.1%}"


@dataclass(frozen=True)
class Protocol:
    """How the reranking weights and the confidence models are fitted: never on the held-out or blind sets."""

    name: str
    tuning: list[Row]  # the reranking weights rank the most of these right
    guard: list[Row]  # and keep every one of these that the engine alone ranks right
    fit: list[Row]  # the confidence models and their thresholds are fitted here


def fit_protocol(protocol: Protocol, kinds: dict[str, list[str]]) -> tuple[dict[str, str], list[Config]]:
    """Each signal's variant and weight, and both signals' weights together: (chosen variants, configs)."""
    chosen: dict[str, str] = {}
    configs = []
    for kind, names in kinds.items():
        fits = [(name, *fit_weights(protocol.tuning, protocol.guard, [name], WEIGHTS)) for name in names]
        if fits:
            name, weights, _ = max(fits, key=lambda f: (f[2], -f[1][f[0]]))
            chosen[kind] = name
            configs.append(Config(f"{protocol.name}: engine + {kind}", weights))
            print(f"{protocol.name}: " + "  ".join(f"{n} w={w[n]:g} (top-1 {s:.1%})" for n, w, s in fits))
    if len(chosen) == 2:
        weights, _ = fit_weights(protocol.tuning, protocol.guard, list(chosen.values()), PAIR_WEIGHTS)
        configs.append(Config(f"{protocol.name}: engine + both", weights))
    return chosen, configs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-cost", action="store_true", help="skip the fresh-process cost measurements")
    args = parser.parse_args()

    available = {"classifier": importlib.util.find_spec("sklearn") is not None,
                 "embeddings": importlib.util.find_spec("wordllama") is not None}
    for name, package in (("classifier", "scikit-learn"), ("embeddings", "wordllama")):
        if not available[name]:
            print(f"({package} is not installed: the {name} signal is skipped; pip install {package})")
    classifiers = CLASSIFIER_VARIANTS if available["classifier"] else []
    embedding_model = load_wordllama() if available["embeddings"] else None
    mixes = ANSWER_MIXES if available["embeddings"] else ()
    kinds = {"classifier": [clf_name(a, c) for a, c in classifiers], "embeddings": [emb_name(m) for m in mixes]}

    kb = load_knowledge()
    engine = SearchEngine(kb)
    signals = build_signals(kb, classifiers, mixes, embedding_model)
    sets = {name: load_questions(QUESTIONS_DIR / file) for name, file in SETS.items()
            if (QUESTIONS_DIR / file).exists()}
    for name in ("dev_chat", "blind"):
        if name not in sets:
            print(f"(support/question_sets/{SETS[name]} does not exist: no {name} figures)")
    rows = {name: [make_row(kb, engine, signals, q) for q in questions] for name, questions in sets.items()}
    print("phrasing CV: rebuilding the engine and the signals five times ...", flush=True)
    rows["phrasing CV"] = phrasing_cv_rows(kb, classifiers, mixes, embedding_model)
    shown = [name for name in ("phrasing CV", *SETS) if name in rows]
    scored_sets = [name for name in SETS if name in rows]
    tests = [name for name in ("heldout", "blind") if name in rows]

    protocols = [Protocol("A", rows["phrasing CV"], rows["dev"], rows["dev"])]
    if "dev_chat" in rows:
        development = rows["dev"] + rows["dev_chat"]
        protocols.append(Protocol("B", development, [], development))
    configs = [Config("engine alone", {})]
    fitted = {}
    for protocol in protocols:
        fitted[protocol.name] = fit_protocol(protocol, kinds)
    for kind in kinds:
        for name in dict.fromkeys(chosen[kind] for chosen, _ in fitted.values() if kind in chosen):
            configs.append(Config(f"{kind} alone", {}, alone=name))
    for _, protocol_configs in fitted.values():
        configs.extend(protocol_configs)

    print("\n## Ranking (answerable questions; top-1 accuracy / top-3 recall)\n")
    for name in shown:
        kinds_seen = [row.question.kind for row in rows[name]]
        print(f"- {name}: {kinds_seen.count('in')} answerable, {kinds_seen.count('out')} out of scope, "
              f"{kinds_seen.count('near')} near misses")
    print()
    print(table(["ranker", "weights", *shown],
                [[c.name, ", ".join(f"{n} {w:g}" for n, w in c.weights.items()) or (c.alone or "-"),
                  *(f"{top_k(rows[s], c, 1):.1%} / {top_k(rows[s], c, 3):.1%}" for s in shown)] for c in configs]))
    print("\nTop-1 changes against the engine alone (questions fixed / broken):\n")
    print(table(["ranker", *shown], [[c.name, *(changes(rows[s], c) for s in shown)] for c in configs[1:]]))

    for protocol in protocols:
        chosen, protocol_configs = fitted[protocol.name]
        fit_on = "dev" if protocol.name == "A" else "dev + dev_chat"
        print(f"\n## Confidence, protocol {protocol.name}: fitted on {fit_on}\n")
        print("AUC of answerable questions whose best candidate is right against out-of-scope and near-miss"
              " questions (all / out of scope only / near misses only):\n")
        auc_rows, decision_rows = [], []
        for config in [c for c in configs if not c.weights] + protocol_configs:
            for label, score in confidence_methods(config, protocol, list(chosen.values())):
                threshold = best_threshold(outcomes(protocol.fit, config, score))
                aucs, cells = [], []
                for name in scored_sets:
                    scored = outcomes(rows[name], config, score)
                    aucs.append(" / ".join(f"{x:.3f}" if x == x else "n/a" for x in separations(scored)))
                    cells.append(" / ".join(pct(x) for x in decided(scored, threshold).values()))
                auc_rows.append([config.name, label, *aucs])
                decision_rows.append([config.name, label, f"{threshold:.2f}", *cells])
        print(table(["ranker", "confidence", *scored_sets], auc_rows))
        print(f"\nAt the threshold with the best balanced accuracy on {fit_on}: answerable answered right /"
              " out of scope declined / near misses declined:\n")
        if protocol.name == "A":
            production = engine.calibration.threshold
            decision_rows.append(["engine alone", "engine confidence at the production threshold", f"{production:.2f}",
                                  *(" / ".join(pct(x) for x in decided(
                                      outcomes(rows[name], configs[0], lambda t: t.engine_confidence),
                                      production).values()) for name in scored_sets)])
        print(table(["ranker", "confidence", "threshold", *scored_sets], decision_rows))

        print("\nAUC gain (engine ranking; paired bootstrap 95% interval) over the engine's own confidence, and over"
              " the same logistic refitted without the signals:\n")
        methods = confidence_methods(configs[0], protocol, list(chosen.values()))
        bases = {(name, which): outcomes(rows[name], configs[0], methods[which][1])
                 for name in tests for which in (0, 1)}
        gain_rows = []
        for position, (label, score) in enumerate(methods[1:], start=1):
            cells = []
            for which in (0, 1):
                for name in tests:
                    if position == 1 and which == 1:
                        cells.append("-")
                        continue
                    gain, low, high = auc_gain(bases[name, which], outcomes(rows[name], configs[0], score))
                    cells.append(f"{gain:+.3f} [{low:+.3f}, {high:+.3f}]")
            gain_rows.append([label, *cells])
        print(table(["confidence", *(f"{name} vs engine confidence" for name in tests),
                     *(f"{name} vs refitted" for name in tests)], gain_rows))
        print("\nThe logistic confidences for the engine's ranking (weights in the features' order, bias last):\n")
        print(table(["features", "weights"],
                    [[" + ".join(features), ", ".join(f"{b:.3f}" for b in beta)]
                     for (tag, ranker, features), beta in FITTED.items()
                     if tag == protocol.name and ranker == "engine alone"]))

    print("\n## Cost\n")
    texts = [row.question.text for row in rows["dev"]]
    per_question = [["engine.search (limit 4)", f"{latency(lambda q: engine.search(q), texts):.2f}"],
                    ["engine.search (limit 20)", f"{latency(lambda q: engine.search(q, limit=DEPTH), texts):.2f}"]]
    chosen = fitted[protocols[-1].name][0]
    for kind, name in chosen.items():
        scorer = signals.scorers[name]
        if kind == "embeddings":  # the cache in build_signals would hide the cost
            scorer = EmbeddingSignal(kb, embedding_model).scores
        per_question.append([f"{kind}: {name}", f"{latency(scorer, texts):.2f}"])
    print(table(["per question", "ms (mean over dev)"], per_question))
    if not args.no_cost:
        picked = [(a, c) for a, c in classifiers if clf_name(a, c) == chosen.get("classifier")]
        cheapest = [(False, min(c for _, c in classifiers))] if classifiers else []
        print()
        print(table(["fresh process", "import s", "build at start-up s", "extra memory MiB"],
                    cost_rows(available, list(dict.fromkeys(picked + cheapest)))))


if __name__ == "__main__":
    main()
