"""The neutral Markdown grammar every renderer shares."""

from __future__ import annotations

import pytest

from knowledge.markdown import plain


@pytest.mark.parametrize(("markdown", "words"), [
    ("**Claim** it", "Claim it"),
    ("an *italic* and _another_ one", "an italic and another one"),
    ("type `/advisor help`", "type /advisor help"),
    ("see [the page](https://example.edu/x)", "see the page"),
    (r"not \*bold\* and snake\_case", "not *bold* and snake_case"),
])
def test_plain_keeps_the_words_and_drops_the_markup(markdown, words):
    assert plain(markdown) == words
