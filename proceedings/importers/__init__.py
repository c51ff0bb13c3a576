"""Import accepted papers from a submission system (EasyChair, OpenReview) into ``camera_ready/papers.yaml``.

Each reader turns an export into an :class:`~proceedings.importers.common.Export`; :mod:`.merge` then merges
the accepted papers into the project's papers.yaml without overwriting what the chair edited.
"""

from proceedings.importers.common import Export, ImportedAuthor, ImportedPaper, Status

__all__ = ["Export", "ImportedAuthor", "ImportedPaper", "Status"]
