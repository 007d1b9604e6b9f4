"""The embedding signal: from the wheel only, without touching the bot's logging, and meaningful."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.embeddings import Embeddings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embeddings(kb):
    return Embeddings(kb)


@pytest.mark.parametrize(("question", "entry"), [("what is a residency application specialty advisor", "rasa"),
                                                 ("when is match day", "match-day")])
def test_a_question_is_closest_to_the_entry_it_is_about(kb, embeddings, question, entry):
    closeness = embeddings.closeness(question)
    assert entry in [kb.entries[i].id for i in closeness.argsort()[::-1][:3]]


def test_the_model_loads_offline_from_the_wheel_and_leaves_logging_alone(tmp_path):
    script = ("import logging, socket\n"
              "def refuse(*a, **k): raise OSError('no network in this test')\n"
              "socket.socket.connect = refuse\n"
              "from knowledge.embeddings import load_model\n"
              "load_model()\n"
              "root = logging.getLogger()\n"
              "print(len(root.handlers), root.level)\n")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", str(30)], "no root handler added, level still WARNING"
    assert not any(tmp_path.rglob("*")), "nothing cached or downloaded"


def test_the_entries_vectors_are_cached_per_content_and_rebuilt_when_unreadable(kb, embeddings, tmp_path):
    cache = tmp_path / "cache"
    first = Embeddings(kb, model=embeddings.model, cache_dir=cache)
    [saved] = list(cache.iterdir())
    again = Embeddings(kb, model=embeddings.model, cache_dir=cache)
    assert (again.phrasings == first.phrasings).all() and (again.answers == embeddings.answers).all()

    saved.write_bytes(b"not a numpy file")
    rebuilt = Embeddings(kb, model=embeddings.model, cache_dir=cache)
    assert (rebuilt.phrasings == embeddings.phrasings).all()

    first_entry = kb.entries[0].model_copy(update={"answer": kb.entries[0].answer + " Edited."})
    edited = replace(kb, entries=(first_entry, *kb.entries[1:]))
    changed = Embeddings(edited, model=embeddings.model, cache_dir=cache)
    [kept] = list(cache.iterdir())
    assert kept != saved, "new content, new file; the old one is gone"
    assert not (changed.answers[0] == embeddings.answers[0]).all()


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_time(kb, embeddings, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    vectors = Embeddings(kb, model=embeddings.model, cache_dir=blocked / "cache")
    assert (vectors.phrasings == embeddings.phrasings).all()
