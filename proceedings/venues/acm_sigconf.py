"""``acm-sigconf`` (the default): ACM's acmart class, sigconf format, US Letter, two columns."""

from proceedings.venues import EMBED_OTHERS, RightsBlock, Venue, register

PLACEHOLDERS = (
    ("Conference acronym 'XX", r"conference\s+acronym\s*'\s*xx"),
    ("Conference'17", r"\bconference\s*'\s*17\b"),
    ("Woodstock", r"\bwoodstock\s*(?:'\s*18\b|,\s*ny\b)"),  # acmart's sample venue, not a word in the text
    ("XXXXXXX.XXXXXXX", r"\bx{7}\s*\.\s*x{7}\b"),
    ("978-1-4503-XXXX-X", r"978-1-4503-x{4}-x"),
    ("978-x-xxxx-xxxx-x/YY/MM", r"978-x-x{4}-x{4}-x(?:/yy/mm)?"),
    ("10.1145/nnnnnnn.nnnnnnn", r"10\.1145/n{7}\.n{7}"),
    ("Make sure to enter the correct conference title",
     r"make\s+sure\s+to\s+enter\s+the\s+correct\s+conference\s+title"),
)

VENUE = register(Venue(
    id="acm-sigconf",
    name="ACM sigconf (acmart)",
    page_size="letter",
    min_pages=4,
    max_pages=8,
    # acmart sigconf: 0.75 in side margins, running heads at 730 pt (other ACM tools: up to 756), last baseline
    # about 85 pt above the edge
    text_block=(54.0, 72.0, 558.0, 750.0),
    stamp_zone=40.0,
    layout="acm-sigconf",
    placeholders=PLACEHOLDERS,
    rights_block=RightsBlock(
        required=(
            ("the permission / copyright block", (r"permission\s+to\s+make\s+digital\s+or\s+hard\s+copies"
                                                  r"|copyright\s+held\s+by|licensed\s+to\s+acm|\bacm\s+isbn\b"
                                                  r"|publication\s+rights\s+licensed")),
            ("the ACM Reference Format", r"acm\s+reference\s+format"),
        ),
        fix="Use the camera-ready acmart commands: remove the 'nonacm' option and any \\settopmatter{printacmref="
            "false} or \\renewcommand\\footnotetextcopyrightpermission, and paste the \\setcopyright, "
            "\\copyrightyear, \\acmConference, \\acmBooktitle, \\acmDOI and \\acmISBN lines of your ACM rights "
            "e-mail into the preamble."),
    fixes={
        "template": "Typeset the paper with ACM's acmart class in the conference format: "
                    "\\documentclass[sigconf]{acmart} (Word: the ACM Interim Word template, sigconf layout).",
        "page-size": "Use US Letter: \\documentclass[sigconf]{acmart} without a4paper or other geometry changes.",
        "placeholders": "Replace the acmart template's sample values with those of your rights form: "
                        "\\acmConference, \\acmBooktitle, \\acmYear, \\acmDOI, \\acmISBN and \\copyrightyear (the "
                        "ACM rights e-mail gives the exact commands).",
        "line-numbers": "Remove the 'review' option of \\documentclass (and \\linenumbers or Word's line "
                        "numbering) and compile the camera-ready version.",
        "anonymous": "Compile the camera-ready version: remove the 'anonymous' and 'review' options of "
                     "\\documentclass and give the real authors.",
        "fonts-embedded": "Embed every font: with pdflatex use the Type 1 fonts acmart loads (no "
                          "\\usepackage{times}); " + EMBED_OTHERS,
    },
))
