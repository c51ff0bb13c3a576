"""``lncs``: Springer's llncs class (Lecture Notes in Computer Science), A4, one column."""

from proceedings.venues import Venue, register

VENUE = register(Venue(
    id="lncs",
    name="Springer LNCS (llncs)",
    page_size="a4",
    # page limits: the rules' defaults (4 to 8, as for every profile: the contract); an LNCS volume sets its own
    # in workshop.yaml (rules: {max_pages: 12})
    text_block=(122.0, 160.0, 494.0, 740.0),
    layout="lncs",
    own_page_numbers="warning",  # llncs's runningheads option, as Springer's samplepaper.tex has it, prints them
    fixes={
        "template": "Typeset the paper with Springer's \\documentclass{llncs} (Word: the LNCS Word template) and "
                    "do not change its margins or font size.",
        "page-size": "Use A4: \\documentclass[a4paper]{llncs} (without the option, pdflatex may write US Letter "
                     "pages); LNCS proceedings are printed from A4 files.",
        "page-numbers": "Remove the 'runningheads' option (\\documentclass{llncs}): with it llncs prints the "
                        "paper's own page numbers in the running heads; the volume numbers the pages.",
        "anonymous": "Give the real authors and their institutes in \\author and \\institute: the camera-ready "
                     "version is not anonymous.",
    },
))
