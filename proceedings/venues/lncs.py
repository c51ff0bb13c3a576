"""``lncs``: Springer's llncs class (Lecture Notes in Computer Science), A4, one column."""

from proceedings.venues import Venue, register

PLACEHOLDERS = (  # the sample text of Springer's samplepaper.tex (llncs 2.2x)
    ("Contribution Title", r"\bcontribution\s+title\b"),
    ("Abbreviated paper title", r"\babbreviated\s+paper\s+title\b"),
    # the names with their institute marks (First Author1[0000-…]): a paper's own "the first author … the second
    # author" (its acknowledgements) has none
    ("First Author, Second Author", r"\bfirst\s+author\W{0,3}\d[\s\S]{0,80}\bsecond\s+author\W{0,3}\d"),
    ("F. Author et al.", r"\bf\.\s*author\s+et\s+al\b"),
    ("Princeton University, Princeton NJ 08544", r"\bprinceton\s+nj\s+08544\b"),
    ("lncs@springer.com", r"\blncs@springer\.com\b"),
    ("Supported by organization x", r"\bsupported\s+by\s+organization\s+x\b"),
    ("The abstract should briefly summarize the contents of the paper",
     r"\babstract\s+should\s+briefly\s+summari[sz]e\s+the\s+contents\b"),
    ("First keyword, Second keyword", r"\bfirst\s+keyword\W+second\s+keyword\b"),
    ("the first paragraph of a section or subsection is not indented",
     r"\bfirst\s+paragraph\s+of\s+a\s+section\s+or\s+subsection\s+is\s+not\s+indented\b"),
    ("Sample Heading (Third Level)", r"\bsample\s+heading\s*\(\s*(?:third|fourth)\s+level\b"),
    ("Table captions should be placed above the tables", r"\btable\s+captions\s+should\s+be\s+placed\s+above\b"),
    ("A figure caption is always placed below the illustration",
     r"\bfigure\s+caption\s+is\s+always\s+placed\s+below\b"),
    ("Author, F.: Article title", r"\bauthor,\s*f\.\s*:\s*article\s+title\b"),
)

VENUE = register(Venue(
    id="lncs",
    name="Springer LNCS (llncs)",
    page_size="a4",
    # page limits: the rules' defaults (4 to 8, as for every profile: the contract); an LNCS volume sets its own
    # in workshop.yaml (rules: {max_pages: 12})
    text_block=(122.0, 160.0, 494.0, 740.0),
    layout="lncs",
    placeholders=PLACEHOLDERS,
    own_page_numbers="warning",  # llncs's runningheads option, as Springer's samplepaper.tex has it, prints them
    fixes={
        "template": "Typeset the paper with Springer's \\documentclass{llncs} (Word: the LNCS Word template) and "
                    "do not change its margins or font size.",
        "page-size": "Use A4: \\documentclass[a4paper]{llncs} (without the option, pdflatex may write US Letter "
                     "pages); LNCS proceedings are printed from A4 files.",
        "page-numbers": "Remove the 'runningheads' option (\\documentclass{llncs}): with it llncs prints the "
                        "paper's own page numbers in the running heads; the volume numbers the pages.",
        "placeholders": "Replace the sample text of Springer's samplepaper.tex (title, \\titlerunning, authors, "
                        "\\authorrunning, institutes, abstract, keywords, the sample sections and references) with "
                        "the paper's own.",
        "anonymous": "Give the real authors and their institutes in \\author and \\institute: the camera-ready "
                     "version is not anonymous.",
    },
))
