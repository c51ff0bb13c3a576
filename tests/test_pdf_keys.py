"""The walks' key readers: a key asked for first (get_rare, has) reads as it does when read at once (get)."""

from __future__ import annotations

import io

import pikepdf
import pytest

from proceedings.checks.pdfcheck import get, get_rare, has, is_indirect, items, name_of

_FILE = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R /Null null /Gone 9 0 R /Here 3 0 R /Name /Some#20Name >> endobj
2 0 obj << /Type /Pages /Kids [4 0 R] /Count 1 >> endobj
3 0 obj << /Length 3 /Null null /Subtype /Form >> stream
abc
endstream endobj
4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj
trailer << /Root 1 0 R >>
%%EOF"""


@pytest.fixture(scope="module")
def pdf():
    with pikepdf.Pdf.open(io.BytesIO(_FILE)) as opened:
        yield opened


@pytest.mark.parametrize("key", ["/Type", "/Null", "/Gone", "/Here", "/Name", "/Nope", "/Subtype", "/Length"])
def test_a_key_asked_for_first_reads_as_one_read_at_once(pdf, key):
    root, stream = pdf.Root, pdf.Root.Here
    for obj in (root, stream):
        value = get(obj, key)
        assert has(obj, key) == (value is not None)  # a null value, or a reference to no object, is no value
        assert repr(get_rare(obj, key)) == repr(value)


def test_anything_but_a_dictionary_has_no_keys(pdf):
    kids = pdf.Root.Pages.Kids  # an array: `in` asks whether it holds an element
    for obj in (kids, None, 3, pikepdf.Name.Type, "/Type"):
        assert get(obj, "/Type") is None and get_rare(obj, "/Type") is None and not has(obj, "/Type")
        assert list(items(obj)) == []


def test_a_reader_that_raises_reads_nothing_but_memory_errors_propagate():
    class Raising:
        def __init__(self, exc):
            self.exc = exc

        @property
        def is_indirect(self):
            raise self.exc

        def __str__(self):
            raise self.exc

    assert not is_indirect(Raising(ValueError("broken")))
    assert name_of(Raising(ValueError("broken"))) == ""
    with pytest.raises(MemoryError):
        is_indirect(Raising(MemoryError()))
    with pytest.raises(RecursionError):
        name_of(Raising(RecursionError()))


def test_names_read_as_text(pdf):
    assert name_of(get(pdf.Root, "/Name")) == "Some Name"
    assert name_of(get_rare(pdf.Root, "/Nope")) == ""
