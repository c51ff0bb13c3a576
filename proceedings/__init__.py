"""proceedings: compile camera-ready papers into a published proceedings volume."""

__version__ = "0.1.0"
