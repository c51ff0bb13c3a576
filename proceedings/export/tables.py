"""CSV tables of the bundle (RFC 4180, UTF-8, CRLF line ends)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any


def csv_bytes(rows: Iterable[Iterable[Any]], bom: bool = False) -> bytes:
    """Rows as CSV bytes; None becomes an empty cell; ``bom`` prefixes a UTF-8 byte-order mark (for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
