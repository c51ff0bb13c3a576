"""Tables from CSV and XLSX exports, with headers matched loosely ("Submission #" = "submission #" = "submission")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from proceedings.errors import InputError
from proceedings.importers.common import read_text

log = logging.getLogger(__name__)


def norm_header(header: object) -> str:
    """A header reduced for matching: case, spaces and punctuation dropped, '#' read as 'number'."""
    text = str(header or "").replace("\ufeff", "").casefold().replace("#", " number ")
    return re.sub(r"[^0-9a-z]+", "", text)


@dataclass
class Table:
    """Rows of one sheet or CSV file, each a mapping from normalised header to cell text."""

    name: str
    """What to call it in messages: "submission.csv", "book.xlsx, sheet Authors"."""
    headers: list[str]
    """The headers as written."""
    rows: list[dict[str, str]]
    """Cells keyed by :func:`norm_header`; the first column of that name wins."""
    first_row: int = 2
    """The row number (1-based, as a spreadsheet shows it) of ``rows[0]``."""

    def column(self, aliases: Iterable[str]) -> str | None:
        """The normalised header of the first alias present, if any."""
        keys = {norm_header(h) for h in self.headers}
        return next((a for a in aliases if a in keys), None)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


HeaderTest = Callable[[set[str]], bool]
"""Whether a set of normalised headers is the header row of the wanted table."""


def _table(name: str, raw: list[list[object]], fits: HeaderTest) -> Table | None:
    """Find the header row (one of the first ten rows that ``fits``) and key the rows below it."""
    for i, row in enumerate(raw[:10]):  # noqa: B007 - the header row index is used after the loop
        headers = [_cell(c).strip() for c in row]
        if fits({norm_header(h) for h in headers}):
            break
    else:
        return None
    keys = [norm_header(h) for h in headers]
    rows: list[dict[str, str]] = []
    for line in raw[i + 1:]:
        cells = [_cell(c) for c in line]
        if not any(c.strip() for c in cells):
            continue
        record: dict[str, str] = {}
        for key, value in zip(keys, cells):
            if key and key not in record:
                record[key] = value
        rows.append(record)
    return Table(name, headers, rows, first_row=i + 2)


def _delimiter(text: str) -> tuple[str, str]:
    """The delimiter of a CSV text, read from its header line (an Excel ``sep=;`` line is honoured)."""
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"\s*sep=(.)\s*", first)
    if hint:
        return hint.group(1), rest
    header = re.sub(r'"[^"]*"', "", first)
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        try:
            best = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            best = ","
    return best, text


def read_csv(path: Path, fits: HeaderTest) -> Table | None:
    """A CSV export as a table, or None when no header row names the expected columns."""
    delimiter, text = _delimiter(read_text(path))
    try:
        raw: list[list[object]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    return _table(path.name, raw, fits)


def is_xlsx(path: Path) -> bool:
    """Whether ``path`` is an Excel workbook (by its content, whatever its name)."""
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_xlsx(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of a workbook, by sheet name, as lists of cell values."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError(f"{path}: reading .xlsx needs openpyxl (pip install openpyxl)") from None
    try:
        with warnings.catch_warnings():
            # EasyChair's workbooks make openpyxl say "Workbook contains no default style"
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
            finally:
                book.close()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from None


def pick_sheet(path: Path, sheets: Mapping[str, list[list[object]]], preferred: str,
               fits: HeaderTest) -> Table | None:
    """The sheet named ``preferred`` (any case), else the first sheet whose header fits."""
    ordered = sorted(sheets, key=lambda n: n.strip().casefold() != preferred.casefold())
    for sheet in ordered:
        table = _table(f"{path.name}, sheet {sheet}", sheets[sheet], fits)
        if table is not None:
            return table
    return None
