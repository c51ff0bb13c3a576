"""Validation checks of camera-ready PDFs."""
