"""The pictures of a paper's findings, beside its e-mail and attached to ``ID.eml``.

``proceedings validate --emails DIR`` writes ``DIR/ID.txt`` (headers, a blank line, the body). When
findings of the paper have pictures, they are copied to ``DIR/`` under their own names and
``DIR/ID.eml`` is the same message as MIME, with the pictures attached: it opens in any mail
program (or goes out with ``sendmail -t < ID.eml``). The bytes depend only on the message and the
pictures (a fixed boundary, no date).
"""

from __future__ import annotations

import hashlib
import logging
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from proceedings.export.pictures import safe_id
from proceedings.findings import PaperReport
from proceedings.util.atomic import write_bytes

log = logging.getLogger(__name__)


def _pictures(paper: PaperReport, source: Path) -> list[tuple[str, bytes]]:
    found: dict[str, bytes] = {}
    for f in paper.findings:
        if not f.image or Path(f.image).name in found:
            continue
        try:
            found[Path(f.image).name] = (source / f.image).read_bytes()
        except OSError as exc:
            log.warning("paper %s: picture %s is missing (%s); the e-mail goes without it", paper.id, f.image, exc)
    return list(found.items())


def to_mime(text: str, attachments: list[tuple[str, bytes]]) -> bytes:
    """A message ``text`` (headers, blank line, body) as MIME with PNG ``attachments``."""
    head, _, body = text.partition("\n\n")
    message = EmailMessage(policy=SMTP)
    for line in head.split("\n"):  # the template's lines: a U+2028 in a value breaks none
        key, sep, value = line.partition(":")
        if sep and key.strip():
            message[key.strip()] = value.strip()
    message.set_content(body)
    for name, data in attachments:
        message.add_attachment(data, maintype="image", subtype="png", filename=name)
    seal = hashlib.sha256(text.encode("utf-8") + b"".join(d for _, d in attachments)).hexdigest()[:24]
    message.set_boundary(f"=_proceedings_{seal}")
    return message.as_bytes()


def write_attachments(out: Path, paper: PaperReport, text: str, source: Path) -> None:
    """Copy the paper's pictures from the output folder ``source`` to ``out`` and write ``out/ID.eml``."""
    pictures = _pictures(paper, Path(source))
    remove_attachments(out, paper.id, keep={name for name, _ in pictures})
    if not pictures:
        return
    for name, data in pictures:
        write_bytes(out / name, data)
    write_bytes(out / f"{paper.id}.eml", to_mime(text, pictures))


def remove_attachments(out: Path, paper_id: str, keep: set[str] | None = None) -> None:
    """Delete the paper's ``.eml`` and pictures of an earlier run (but those in ``keep``)."""
    keep = keep or set()
    stale = list(out.glob(f"{safe_id(paper_id)}-p*.png"))
    if not keep:
        stale.append(out / f"{paper_id}.eml")
    for path in stale:
        if path.name not in keep and path.is_file():
            path.unlink()
