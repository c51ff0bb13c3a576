"""Importing this module registers every built-in check and loads the PDF readers they use.

Worker processes import it before their first paper (see :mod:`proceedings.util.workers`); a build whose
results are all cached never does (:func:`proceedings.checks.registry.versions`).
"""

from proceedings.checks import length, registry  # noqa: F401 - length: the readers every check shares
from proceedings.pdf import textlayer  # noqa: F401 - PDFium, loaded once per worker

registry.load()
