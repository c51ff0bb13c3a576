"""proceedings: compile camera-ready papers into a published proceedings volume."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())  # a library prints nothing unless its host logs
