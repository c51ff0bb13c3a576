"""Opening a camera-ready file with pikepdf (qpdf): encryption, the page tree, files qpdf cannot repair.

qpdf repairs what it can (a broken cross-reference table, wrong stream lengths) as it opens a file;
what it cannot open, or opens only with a password, becomes a finding. So does a file cut short (an upload or
a copy that stopped): qpdf would open what is left of it, a page or all of them, and the rest would be lost.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Pdf

from proceedings.findings import Finding
from proceedings.util.tolerant import tolerant


@dataclass
class Opened:
    """The outcome of opening a file."""

    pdf: Pdf | None
    pages: int | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Readable, decrypted and with at least one page."""
        return self.pdf is not None and bool(self.pages)


class _Source(io.BytesIO):
    """The file's bytes, named in qpdf's messages as ``<file>`` (not by a memory address)."""

    def __repr__(self) -> str:
        return "<file>"


_ENCRYPTION = re.compile(r"encrypt|decrypt|security handler", re.IGNORECASE)
_PAGE_TREE = re.compile(r"/Pages|pages tree|page tree|getAllPages|/Kids", re.IGNORECASE)


def open_pdf(data: bytes) -> Opened:
    """Open a file's bytes with pikepdf (an empty user password is tried: qpdf repairs what it can); count
    pages. A usable file's ``pdf`` stays open (its objects die with it): the caller closes it when done."""
    findings: list[Finding] = []
    try:
        pdf = Pdf.open(_Source(data), inherit_page_attributes=False)
    except MemoryError:
        raise
    except pikepdf.PasswordError:
        return Opened(None, None, [_encrypted("it needs a password to open")])
    except Exception as exc:  # noqa: BLE001 - a hostile file may raise anything
        if _ENCRYPTION.search(str(exc)):  # unsupported algorithm, broken encryption dictionary
            return Opened(None, None, [_encrypted(f"it cannot be decrypted ({_short(exc)})")])
        return Opened(None, None, [_unreadable(exc, "its page tree is broken" if _PAGE_TREE.search(str(exc)) else "")])
    if cut_short(data) and tolerant(pdf.get_warnings, []):  # qpdf had to rebuild what the cut took away
        pdf.close()
        return Opened(None, None, [Finding(
            "unreadable", "error", None,
            "The PDF cannot be read: the file is cut short (it ends inside its objects, before the end-of-file "
            "marker %%EOF), so some of it is missing.",
            "Send the file again, whole: upload or copy it once more, and check that it opens to its last page.")])
    if tolerant(lambda: pdf.is_encrypted, False):
        findings.append(Finding(
            "encrypted", "error", None,
            "The file is encrypted (it opens without a password, but carries permission restrictions).",
            "Export the PDF again with security settings off: no password, no permissions, no encryption."))
    try:
        count = len(pdf.pages)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        pdf.close()
        findings.append(_unreadable(exc, "its page tree is broken"))
        return Opened(None, None, findings)
    if count == 0:
        pdf.close()
        findings.append(Finding("no-pages", "error", None, "The PDF has no pages.",
                                "Send the complete paper: export the PDF again from the source."))
        return Opened(None, 0, findings)
    return Opened(pdf, count, findings)


_AN_OBJECT = re.compile(rb"\d[\x00\t\n\f\r ]+obj\b|endobj|endstream")
"""Where an object begins or ends."""


_TRAILER_END = re.compile(rb"startxref\s+\d+\s*$")
"""The end of a file's last section (its ``%%EOF`` aside)."""


def cut_short(data: bytes) -> bool:
    """Whether the file ends inside its objects: one begins or ends after its last ``%%EOF`` (or it has none),
    and the file does not end with its trailer's ``startxref`` (which a file that lost only the marker does).
    A file ends at a ``%%EOF``; what may follow one (an incremental update) ends at its own; junk appended
    after the end holds no objects."""
    end = data.rfind(b"%%EOF")
    if _AN_OBJECT.search(data, end + 5 if end >= 0 else 0) is None:
        return False
    return _TRAILER_END.search(data, max(0, len(data) - 1024)) is None


def _encrypted(why: str) -> Finding:
    return Finding("encrypted", "error", None, f"The file is encrypted and {why}, so it cannot be checked or merged.",
                   "Export the PDF again without a password or any security settings (no encryption).")


_WHERE = re.compile(r"^stream <file>(?: \([^)]*\))?: ")
"""qpdf's prefix of a message: the file (see :class:`_Source`) and where in it."""


def _short(exc: BaseException) -> str:
    text = _WHERE.sub("", str(exc).strip())
    text = text.splitlines()[0] if text else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


def _unreadable(exc: BaseException, what: str = "") -> Finding:
    why = what or "it is damaged or not a PDF"
    return Finding("unreadable", "error", None, f"The PDF cannot be read: {why} ({_short(exc)}).",
                   "Export the PDF again from the source (LaTeX: pdflatex or lualatex) and check that it opens.")
