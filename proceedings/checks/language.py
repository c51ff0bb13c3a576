"""``language``: the body reads as English (a warning)."""

from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import guess_language
from proceedings.findings import Finding

SAMPLE_CHARS = 12_000
"""About how much of the body the guess reads: blocks of lines spread evenly over it (a paper's language is the
same throughout, and counting words is linear in the text)."""
BLOCK = 8
"""Consecutive lines in each block of the sample: every n-th single line could be only line numbers, where a
page has a number on a line of its own beside each line of text."""

_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch"}


@check("language", "Language", "3")
def run(paper: Paper):
    refs = paper.references
    body = [p for p in paper.pages if refs is None or p.number < refs.page] or paper.pages[:1]
    lines = [line.text for p in body for line in p.lines if line.y0 >= paper.venue.stamp_zone]
    step = -(-sum(map(len, lines)) // SAMPLE_CHARS) or 1
    sample = [line for at in range(0, len(lines), BLOCK * step) for line in lines[at:at + BLOCK]]  # every step-th
    guess = guess_language("\n".join(sample))
    if guess is None or guess[0] in ("en", "lorem"):  # Lorem ipsum is a placeholder: see ``placeholders``
        return []
    if guess[0] == "non-latin":
        what = "The text does not look English: it is mostly in a non-Latin script."
    else:
        what = f"The text does not look English (it looks {_NAMES.get(guess[0], 'like another language')})."
    return [Finding(
        "language", "warning", body[0].number if body else None, what,
        "Papers of this venue are in English; send the final English version (a second-language abstract is "
        "fine after the English one).")]
