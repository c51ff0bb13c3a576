"""An affiliation as printed ("School of Computing Science, University of Glasgow, Glasgow, Scotland, United Kingdom")
in the parts publishers' metadata asks for: department, institution, city, state or province, country."""

from __future__ import annotations

import re

_REGIONS = frozenset(
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois "
    "indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri "
    "montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington "
    "wisconsin wyoming queensland victoria tasmania alberta manitoba ontario quebec québec saskatchewan yukon "
    "nunavut england scotland wales".split()) | {
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "rhode island",
    "south carolina", "south dakota", "west virginia", "district of columbia", "new south wales", "south australia",
    "western australia", "northern territory", "australian capital territory", "british columbia",
    "new brunswick", "newfoundland and labrador", "nova scotia", "prince edward island", "northwest territories",
    "northern ireland", "inner mongolia"} | frozenset(
    "anhui fujian gansu guangdong guangxi guizhou hainan hebei heilongjiang henan hubei hunan jiangsu jiangxi jilin "
    "liaoning ningxia qinghai shaanxi shandong shanxi sichuan xinjiang yunnan zhejiang".split())
"""States, provinces and the United Kingdom's nations, as an affiliation may name them before its country."""


_DEPARTMENT = re.compile(r"\b(?:dept\b|department|school\s+of|faculty|division|laborator|lab\b|chair\b"
                         r"|d[ée]partement|departamento|dipartimento|fakult|college\s+of)", re.IGNORECASE)
"""Words of a department (school, faculty, lab) before its institution."""
_INSTITUTION = re.compile(r"univ|institut|college|school|academ|hospital|laborator|\blab\b|research|cent(?:er|re)"
                          r"|\binc\b|corp|\bltd\b|gmbh|company|inria|cnrs", re.IGNORECASE)
"""Words of an institution: a part with one is no city (so what follows it is no state: "…, New York, USA")."""


def affiliations(text: str | None) -> list[str]:
    """The affiliations of one person: one, or several separated by ";" (as the importers join them)."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def split_affiliation(affiliation: str | None, country: str | None = None) -> tuple[str, str, str, str, str]:
    """(department, institution, city, state or province, country) of one affiliation as printed.

    "School of Computing Science, University of Glasgow, Glasgow, Scotland, United Kingdom" is read from its end:
    the country; a state or province when the part before it is one (a code of two or three capitals, "PA",
    "NSW", or a name, "Scotland") and a city comes before it; the city; then a leading department (a part that
    says so: "School of…", "Dept. of…") and the institution, the rest whole ("Inria, Univ. Rennes, CNRS, IRISA").
    An institution after departments alone is no city ("Department of CS, University of Oxford, UK").
    An affiliation of one or two parts stays whole (the institution). ``country`` (the person's own field) wins
    over the affiliation's last part.
    """
    parts = [p.strip() for p in (affiliation or "").split(",") if p.strip()]
    if len(parts) < 3:
        return "", ", ".join(parts), "", "", country or ""
    last, rest = parts[-1], parts[:-1]
    state = ""
    if len(rest) >= 3 and (re.fullmatch(r"[A-Z]{2,3}", rest[-1])  # a code ("MD", after "College Park")
                           or rest[-1].casefold() in _REGIONS and not _INSTITUTION.search(rest[-2])):
        state, rest = rest[-1], rest[:-1]
    city, rest = rest[-1], rest[:-1]
    if not state and _INSTITUTION.search(city) and all(_DEPARTMENT.search(p) for p in rest):
        city, rest = "", [*rest, city]  # "Department of CS, University of Oxford, UK": no city, its institution
    lead = 0
    while lead < len(rest) - 1 and _DEPARTMENT.search(rest[lead]):  # "Dept. of CS, School of Engineering, …"
        lead += 1
    return ", ".join(rest[:lead]), ", ".join(rest[lead:]), city, state, country or last
