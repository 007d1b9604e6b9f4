"""Turning free text (typos, emoji, any script) into comparable search terms.

Platform markup (Slack's `<@U123>`, `<https://x|x>`) is each adapter's to unwrap where the text arrives."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_QUESTION_CHARS = 1000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile(r"[a-z]+|\d+")

# Function words, question words and the ways students misspell them: they carry no topic.
STOPWORDS = frozenset(
    """
    a about above after again all also am an and any anything anyone are aren around as ask asking at be
    because been before being between both but by can cannot could couldn d did didn do does doesn doing don
    down during each else even ever every few for from further get gets getting give go going gonna got had
    has have having he her here hers him his how hows i id if ill im in into is isn it its itll ive just kind
    know let lets like ll m made make me mean might more most much must my myself need needs no nor not now
    o of off ok okay on once only or other our out over own please pls plz really re s said same say
    see she should so some someone something sort still such sure t tell than that thats the their them then
    there theres these they thing things think this those through to too u um uh under until up ur us use
    ve very via wanna want wants was wasn way we well were what whats when whens where wheres whether which
    while who whos whom why will with won would wouldn y yeah yet you your youre yours yourself hey hi hello
    wat wut wht whta wen whn hw hiw abt bc cuz cause tho gonna gotta im ya yall dont cant wont idk lol
    anybody somebody thanks thank hmm btw fyi quick sorry stuff exactly actually
    basically currently right now today guys bot many called named overview brief briefly explain
    explained info information details detail describe wondering wonder curious confused understand clarify
    supposed meant figure out work works working exist exists available offered offer offers happens anyways
    anyway literally honestly seriously totally definitely probably maybe possible possibly general generally
    specific specifically regarding re look looking find finding learn learning hear heard told says said
    lmk asap kinda sorta rn tmrw tho thru w wrt etc mine ours theirs
    """.split()
)

_stemmer = snowballstemmer.stemmer("english")


def clean(text: str) -> str:
    """Readable plain text: invisible and control characters dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    return text[:MAX_QUESTION_CHARS]


def fold(text: str) -> str:
    """Lowercase ASCII-folded text ("Résumé" -> "resume"), apostrophes removed so "what's" -> "whats"."""
    text = text.casefold()
    if not text.isascii():  # most text is: skip the per-character pass (a third of building the index)
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return text.replace("'", "").replace("\u2019", "")


_COMPOUNDS = ((re.compile(r"\bpost[\s-]*pce\b"), "postpce"), (re.compile(r"\bpre[\s-]*clerkships?\b"), "preclerkship"))
_ROMAN = re.compile(r"\b(part|step|year|phase|residency|series)\s+(iii|ii|i)\b")
_ROMAN_VALUE = {"i": "1", "ii": "2", "iii": "3"}


def words(text: str) -> list[str]:
    """Lowercase word and number tokens; letters and digits split ("step2ck" -> step, 2, ck).

    Roman numerals after a sequence word become digits ("Step II CK" -> step 2 ck), and the
    programme's compound phase names become one word ("post-PCE" -> postpce), so that "PCE"
    alone does not match them.
    """
    folded = _ROMAN.sub(lambda m: f"{m.group(1)} {_ROMAN_VALUE[m.group(2)]}", fold(text))
    for pattern, replacement in _COMPOUNDS:
        folded = pattern.sub(replacement, folded)
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_words(text: str) -> list[str]:
    return [word for word in words(text) if word not in STOPWORDS]


def terms(text: str) -> list[str]:
    """The stemmed content words of a text, in order."""
    return [stem(word) for word in content_words(text)]


def normalized(text: str) -> str:
    """Space-joined words, for fuzzy string comparison."""
    return " ".join(words(text))
