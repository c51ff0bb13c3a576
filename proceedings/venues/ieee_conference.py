"""``ieee-conference``: IEEEtran's conference format, US Letter, two columns, no rights block checked."""

from proceedings.venues import Venue, register

PLACEHOLDERS = (  # the sample text of IEEE's conference template (conference_101719.tex)
    ("Paper Title (use style: paper title)", r"use\s+style\s*:\s*paper\s+title"),
    ("dept. name of organization (of Aff.)", r"name\s+of\s+organization\s*\(\s*of\s+aff"),
    ("Identify applicable funding agency here", r"identify\s+applicable\s+funding\s+agency\s+here"),
    ("email address or ORCID", r"\bemail\s+address\s+or\s+orcid\b"),
    ("XX/$XX.00 ©20XX IEEE", r"/xx/\$\s*(?:xx|\d+)\.00|\b20xx\s+ieee\b"),  # the copyright line's template values
    ("979-8-3503-XXXX-X", r"\b97[89]-\d-\d{3,5}-x{3,5}-x\b"),  # the ISBN of the copyright line, the year filled in
    ("Note: Sub-titles are not captured in Xplore", r"sub-?\s*titles\s+are\s+not\s+captured\s+in\s+xplore"),
    ("IEEE conference templates contain guidance text", r"\btemplates\s+contain\s+guidance\s+text\b"),
)

VENUE = register(Venue(
    id="ieee-conference",
    name="IEEE conference (IEEEtran)",
    page_size="letter",
    min_pages=4,
    max_pages=8,
    text_block=(43.0, 54.0, 569.0, 750.0),
    layout="ieee-conference",
    placeholders=PLACEHOLDERS,
    fixes={
        "template": "Typeset the paper with \\documentclass[conference]{IEEEtran} (Word: the IEEE conference "
                    "template, US Letter).",
        "page-size": "Use US Letter: \\documentclass[conference,letterpaper]{IEEEtran}.",
        "placeholders": "Replace the IEEE template's sample text (title style notes, \"dept. name of organization\", "
                        "the funding note) with the paper's own, delete its guidance text (the red paragraph at the "
                        "end), and replace the copyright line's X with the values IEEE gave the conference (or "
                        "remove \\IEEEpubid).",
        "anonymous": "Compile the camera-ready version: \\documentclass[conference]{IEEEtran} without "
                     "'peerreview', and the real authors in \\IEEEauthorblockN and \\IEEEauthorblockA.",
    },
))
