"""``ieee-conference``: IEEEtran's conference format, US Letter, two columns, no rights block checked."""

from proceedings.venues import Venue, register

VENUE = register(Venue(
    id="ieee-conference",
    name="IEEE conference (IEEEtran)",
    page_size="letter",
    min_pages=4,
    max_pages=8,
    text_block=(43.0, 54.0, 569.0, 750.0),
    layout="ieee-conference",
    placeholders=(),
    fixes={
        "template": "Typeset the paper with \\documentclass[conference]{IEEEtran} (Word: the IEEE conference "
                    "template, US Letter).",
        "page-size": "Use US Letter: \\documentclass[conference,letterpaper]{IEEEtran}.",
        "anonymous": "Compile the camera-ready version: \\documentclass[conference]{IEEEtran} without "
                     "'peerreview', and the real authors in \\IEEEauthorblockN and \\IEEEauthorblockA.",
    },
))
