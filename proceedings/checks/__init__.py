"""Validation checks of camera-ready PDFs: one registered check per module (see :mod:`.registry`), reading the
shared facts of :mod:`.paper`; :mod:`.pdfcheck` and :mod:`.textcheck` hold the structural and text helpers."""
