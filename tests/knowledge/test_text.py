"""Text normalisation the engine relies on."""

from __future__ import annotations

import Stemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from knowledge import text
from knowledge.text import content_words, fold, stem


def test_the_compiled_stemmer_is_in_use_and_stems_every_content_word_as_the_pure_python_one(kb):
    pure = EnglishStemmer()
    words = {word for entry in kb.entries for text in (entry.title, entry.answer, *entry.questions)
             for word in content_words(text)}
    assert len(words) > 500
    assert isinstance(text._stemmer, Stemmer.Stemmer), "PyStemmer (a dependency) is what snowballstemmer picks"
    assert {word: stem(word) for word in words} == {word: pure.stemWord(word) for word in words}


def test_folding_drops_accents_case_and_apostrophes_with_or_without_the_ascii_shortcut():
    assert fold("Résumé What’s") == "resume whats"
    assert fold("ERAS Don't") == "eras dont"
