"""People as every citation format writes them, from the ``*_detail`` records of metadata.json.

One :class:`Name` per person carries the parts a format needs: the name as printed (ACM text),
family, given, generational suffix and whether the name is written family first. The formats:

* BibTeX ``von Last, Jr., First`` (:func:`proceedings.export.latex.bibtex_name`); a family-first
  name is one braced token, so every style prints it as written ("Nguyễn Thị Minh Khai").
* RIS ``AU  - King, Martin Luther, Jr.`` / ``van der Berg, Pieter``.
* CSL-JSON ``family``/``given``/``suffix``/``non-dropping-particle``, ``static-ordering`` when family first.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from proceedings.export.latex import bibtex_name, clean
from proceedings.text import (
    family_first,
    family_name,
    given_names,
    name_suffix,
    split_honorific,
    split_particle,
    split_suffix,
)


class Name(NamedTuple):
    """One person's name parts (white space cleaned)."""

    printed: str
    family: str
    given: str
    suffix: str
    first: bool
    """Written family name first."""


def people(detail: list[dict[str, Any]] | None, names: list[str] | None) -> list[Name]:
    """The persons of ``*_detail`` records (or of bare names, split as the model splits them)."""
    raw = []
    if detail:
        for p in detail:
            family = p.get("family") or p["name"]
            raw.append((p["name"], family, p.get("given") or "", p.get("suffix") or "", bool(p.get("family_first"))))
    else:
        for name in names or []:
            raw.append((name, family_name(name), given_names(name), name_suffix(name), False))
    out = []
    for name, family, given, suffix, first in raw:
        name, family, given, suffix = clean(name), clean(family), clean(given), clean(suffix)
        if not family:  # a family name of control characters only: the given names stand alone
            family, given = given, ""
        if family:
            out.append(Name(name or family, family, given, suffix, first and bool(given)))
    return out


def person_fields(name: str, family: str | None, suffix: str | None) -> dict[str, Any]:
    """The derived name parts metadata.json records for one person."""
    given = split_honorific(name, family)[1]  # "Prof. Dr." is no given name (nor in ACM's and Crossref's fields)
    data: dict[str, Any] = {"family": family_name(name, family), "given": given}
    generational = suffix or name_suffix(name, family)
    if generational:
        data["suffix"] = generational
    if family_first(name, family):
        data["family_first"] = True
    return data


def printed(person: Name) -> str:
    """The name as printed, with its suffix when ``name`` does not already carry it."""
    if person.suffix and not split_suffix(person.printed)[1]:
        return f"{person.printed}, {person.suffix}"
    return person.printed


def bibtex(person: Name) -> str:
    if person.first:
        return bibtex_name(split_suffix(person.printed)[0], "", person.suffix)
    return bibtex_name(person.family, person.given, person.suffix)


def ris(person: Name) -> str:
    return ", ".join(part for part in (person.family, person.given, person.suffix) if part)


def csl(person: Name) -> dict[str, Any]:
    """A CSL name; one written family first keeps its order (``static-ordering``: a CSL processor would print
    "Thị Minh Khai Nguyễn" from family and given alone)."""
    particle, family = split_particle(person.family) if person.given else ("", person.family)
    item: dict[str, Any] = {"family": family, "given": person.given, "suffix": person.suffix,
                            "non-dropping-particle": particle, "static-ordering": person.first}
    return {k: v for k, v in item.items() if v}
