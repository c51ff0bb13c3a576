"""The ACM Reference Format of one paper, as acmart prints it on a workshop paper's first page.

acmart (``\\@mkbibcitation``) prints "Authors. Year. Title. In Booktitle. ACM, New York, NY, USA,
N pages. https://doi.org/…", where a workshop paper's booktitle is "Proceedings of <event>
(<ACRONYM>), <dates>, <place>" (``\\acmBooktitle``). TeX prints ``'`` as ``’``, so the text does too.
One departure: acmart puts a period after the title and the names even when they end in one
("Jr..", "Why?."); this text does not double the punctuation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from proceedings.export.latex import clean
from proceedings.export.names import people, printed
from proceedings.text import date_range, join_names, proceedings_title


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _doi_url(doi: str) -> str:
    doi = doi.strip()
    return doi if doi.startswith(("http://", "https://")) else f"https://doi.org/{doi}"


def published(volume: dict[str, Any]) -> dt.date:
    """The day metadata.json's volume is published, which every citation dates its papers by (the first day in a
    metadata.json written before it said)."""
    return dt.date.fromisoformat(volume.get("publication_date") or volume["start_date"])


def event_dates(volume: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """The first and last day of the event (not the day of publication: see :func:`published`)."""
    start = dt.date.fromisoformat(volume["start_date"])
    return start, dt.date.fromisoformat(volume.get("end_date") or volume["start_date"])


def booktitle(volume: dict[str, Any]) -> str:
    """"Proceedings of the 1st Workshop on X (X '25), April 28–29, 2025, Sydney, NSW, Australia"."""
    start, end = event_dates(volume)
    parts = [proceedings_title(clean(volume["title"]))]
    if clean(volume.get("acronym") or ""):
        parts[0] += f" ({clean(volume['acronym'])})"
    parts.append(date_range(start, end))
    if clean(volume.get("location") or ""):
        parts.append(clean(volume["location"]))
    return ", ".join(parts)


def acm_reference(metadata: dict[str, Any], paper: dict[str, Any]) -> str:
    """One line: the paper's ACM Reference Format (plain UTF-8), ending in a newline."""
    volume = metadata["volume"]
    names = [printed(p) for p in people(paper.get("authors_detail"), paper.get("authors"))]
    year = published(volume).year
    where = ", ".join(clean(x) for x in (volume.get("publisher"), volume.get("publisher_address")) if x and clean(x))
    count = paper["last_page"] - paper["first_page"] + 1
    pages = f"{count} page" if count == 1 else f"{count} pages"
    parts = [
        _sentence(join_names(names)),
        f"{year}.",
        _sentence(clean(paper["title"])),
        f"In {booktitle(volume)}.",
        f"{where}, {pages}." if where else f"{pages}.",
    ]
    text = " ".join(parts).replace("'", "’")
    link = paper.get("doi") and _doi_url(clean(paper["doi"])) or paper.get("url") and clean(paper["url"])
    return f"{text} {link}\n" if link else text + "\n"
