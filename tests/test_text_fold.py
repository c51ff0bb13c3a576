"""ascii_fold folds character by character (cached), as the whole-text definition does."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from proceedings.text import _SPECIAL_CHARS, ascii_fold

_SPECIAL_RE = re.compile("[" + re.escape("".join(_SPECIAL_CHARS)) + "]")


def _whole_text(text: str) -> str:
    """The definition: look-alikes, NFKD of the whole text, combining marks dropped, look-alikes again."""
    text = _SPECIAL_RE.sub(lambda m: _SPECIAL_CHARS[m.group()], text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SPECIAL_RE.sub(lambda m: _SPECIAL_CHARS[m.group()], text)


def test_examples():
    assert ascii_fold("Łukasz Ø’Brien – ﬁne `quote`") == "Lukasz O'Brien - fine 'quote'"
    assert ascii_fold("Ǿrsted") == "Orsted"  # NFKD makes Ø and an accent: Ø is then folded too
    assert ascii_fold("a\u1fefb") == "a'b"  # Greek varia decomposes to a backquote
    assert ascii_fold("e\u0301\u0327") == "e"  # marks in any order are dropped
    assert ascii_fold("Straße ｆｕｌｌ") == "Strasse full"
    assert ascii_fold("") == ""


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFFF), max_size=40))
def test_matches_the_whole_text_definition(text):
    assert ascii_fold(text) == _whole_text(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aé`\u0301\u0327Ǿﬁ’–ßı\u1fef\u1fedＡ𝑥 \n"), max_size=30))
def test_matches_on_the_characters_that_matter(text):
    assert ascii_fold(text) == _whole_text(text)


def test_some_of_names_the_first_and_counts_the_rest():
    from proceedings.text import some_of

    assert some_of(["a", "b"], 2) == "a, b"
    assert some_of(["a", "b", "c", "d"], 2) == "a, b and 2 more"
    assert some_of([], 3) == ""
