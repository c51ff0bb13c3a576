"""damaged-stream: a content stream with flipped bits, and an image that inflates to 1 GiB, in real pdflatex
papers built by the real pipeline: each paper is reported and left out, and the volume passes qpdf --check."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject

from proceedings.checks.streams import INFLATE_LIMIT, Bomb, Damaged, inflate_size
from tests.conftest import build_project
from tests.texarticles import make_tex_project

GIB = 1024 ** 3


def flip_bits(pdf: Path, page: int, dest: Path) -> Path:
    """A copy of ``pdf`` with 16 bytes in the middle of page ``page``'s Flate content stream inverted."""
    reader = PdfReader(pdf)
    ref = reader.pages[page - 1].raw_get("/Contents")
    stream = ref.get_object()
    assert stream.get("/Filter") == "/FlateDecode"
    length = len(stream._data)
    data = bytearray(pdf.read_bytes())
    start = re.search(rb"(?<![0-9])%d 0 obj\s*<<" % ref.idnum, data).start()
    body = re.compile(rb"stream\r?\n").search(data, start).end()
    for i in range(body + length // 2, body + length // 2 + 16):
        data[i] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


def zeros_bomb(size: int) -> bytes:
    """zlib data of ``size`` zero bytes, made without ``size`` bytes in memory (about 1 KiB per MiB).

    After a full flush the compressor starts afresh, so every MiB of zeros compresses to the same bytes.
    """
    chunk = 1 << 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(bytes(chunk)) + deflate.flush(zlib.Z_FULL_FLUSH)
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a = 1, b = size mod 65521
    return b"\x78\xda" + block * (size // chunk) + b"\x03\x00" + adler.to_bytes(4, "big")


def with_bomb(pdf: Path, page: int, dest: Path) -> Path:
    """``pdf`` with a 1,000 × 1,000 gray image on page ``page`` whose data inflates to 1 GiB."""
    writer = PdfWriter(clone_from=pdf)
    image = StreamObject()
    image._data = zeros_bomb(GIB)
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(1000), NameObject("/Height"): NumberObject(1000),
                  NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                  NameObject("/BitsPerComponent"): NumberObject(8), NameObject("/Filter"): NameObject("/FlateDecode")})
    target = writer.pages[page - 1]
    resources = target["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = resources["/XObject"].get_object()
    xobjects[NameObject("/ImBomb")] = writer._add_object(image)
    contents = target.get_contents()
    contents.set_data(contents.get_data() + b"\nq 100 0 0 100 72 300 cm /ImBomb Do Q\n")
    target.replace_contents(contents)
    with open(dest, "wb") as handle:
        writer.write(handle)
    return dest


def test_inflate_size_stops_at_the_limit_without_inflating_it_all():
    bomb = zeros_bomb(GIB)
    assert len(bomb) < 1_100_000
    assert zlib.decompressobj().decompress(bomb[:20_000], 1 << 20)  # real zlib data
    with pytest.raises(Bomb):
        inflate_size(bomb, 8 * 1024 * 1024)
    assert inflate_size(zeros_bomb(4 << 20))[0] == 4 << 20  # under the limit: measured exactly
    with pytest.raises(Damaged, match="truncated"):  # qpdf --check fails on a stream without its end marker
        inflate_size(zeros_bomb(4 << 20)[:-4])


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory, tex_papers):
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    root = tmp_path_factory.mktemp("broken")
    damaged = flip_bits(tex_papers["clean"], 2, root / "damaged.pdf")
    bomb = with_bomb(tex_papers["clean"], 2, root / "bomb.pdf")
    project = make_tex_project(root / "project", {"good": tex_papers["clean"], "damaged": damaged, "bomb": bomb})
    return build_project(project), project, damaged


def test_the_damaged_file_really_is_damaged(broken_build):
    _, _, damaged = broken_build
    checked = subprocess.run(["qpdf", "--check", str(damaged)], capture_output=True, text=True, check=False)
    assert checked.returncode != 0 and "decod" in (checked.stdout + checked.stderr).lower()


def test_damaged_stream_is_an_error_and_the_paper_stays_out(broken_build):
    result, project, _ = broken_build
    report = result.report
    assert report.by_id("good").findings == [] and report.by_id("good").usable
    (finding,) = [f for f in report.by_id("damaged").findings if f.rule == "damaged-stream"]
    assert (finding.rule, finding.severity, finding.page) == ("damaged-stream", "error", 2)
    assert "content stream of page 2" in finding.message and "Flate" in finding.message
    assert not report.by_id("damaged").usable

    (bomb,) = report.by_id("bomb").findings  # the bomb: found, not a timeout or out of memory
    assert (bomb.rule, bomb.severity, bomb.page) == ("damaged-stream", "error", 2)
    assert "Decompression bomb" in bomb.message and "image /ImBomb" in bomb.message and "declared" not in bomb.message
    assert f"{INFLATE_LIMIT // (1024 * 1024)} MiB" in bomb.message
    assert not report.by_id("bomb").usable

    metadata = json.loads((project / "build" / "metadata.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in metadata["papers"]] == ["good"]
    excluded = {e["id"]: e for e in metadata["excluded"]}
    assert set(excluded) == {"damaged", "bomb"}
    assert any("cannot be decoded" in r for r in excluded["damaged"]["reasons"])
    validation = json.loads((project / "build" / "validation.json").read_text(encoding="utf-8"))
    rules = {p["id"]: [(f["rule"], f["severity"], f["page"]) for f in p["findings"]] for p in validation["papers"]}
    assert rules == {"good": [], "damaged": [("damaged-stream", "error", 2)], "bomb": [("damaged-stream", "error", 2)]}


def test_the_volume_passes_qpdf_check(broken_build):
    _, project, _ = broken_build
    volume = project / "build" / "proceedings.pdf"
    checked = subprocess.run(["qpdf", "--check", str(volume)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No syntax or stream encoding errors found" in checked.stdout


_TOKENS = [b" ", b"\n", b"q", b"Q", b"BT", b"ET", b"1", b"-2.5", b"/F1", b"Tf", b"TJ", b"Tj", b"[", b"]", b"<<", b">>",
           b"(a)", b"(b\\))", b"(c(d)e)", b"(", b")", b"<0a1B>", b"<>", b"<zz>", b"%c\n", b"{", b"\\", b"\x00"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_the_content_check_finds_the_same_with_and_without_its_fast_path(tokens):
    """Runs of plain tokens, strings and TJ arrays are skipped in one match; a comment naming ``ID`` (an inline
    image's keyword) turns that off, and must change nothing the check finds."""
    from proceedings.pdf.streams import lexical_fault

    content = b" ".join(tokens)
    assert lexical_fault(content) == lexical_fault(content + b"\n%ID\n")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS + [b"[", b"(a)", b"-250", b"(b\\034c)"]), max_size=40))
def test_the_content_check_reads_tokens_side_by_side_as_one_by_one(tokens):
    """A ``TJ`` array of strings and numbers with nothing between them (``[(Wo)80(rd)]``), taken two strings a
    turn by the fast path: what it finds is what reading token by token finds."""
    from proceedings.pdf.streams import lexical_fault

    content = b"".join(tokens)
    assert lexical_fault(content) == lexical_fault(content + b"\n%ID\n")


def test_a_marked_content_dictionary_after_a_name_is_no_hex_string():
    """``/P <</MCID 0>> BDC`` (tagged content, as word processors write it) is clean: Python 3.11.0-3.11.4 match a
    group repeated possessively wrongly (CPython gh-106052) and took the ``<`` of ``<<`` for a hex string's, so
    Debian 12's Python refused the paper; the fast path's groups are atomic instead."""
    from proceedings.pdf.streams import _PLAIN_RUN, lexical_fault

    content = b" /P <</MCID 0>> BDC BT\r\n/F1 10.98 Tf\r\n1 0 0 1 70.86 760.62 Tm\r\n[(FileA)-3(ttachment)] TJ ET EMC"
    assert _PLAIN_RUN.match(content).end() == 4  # up to the dictionary, which the token loop reads
    assert lexical_fault(content) is None
    assert lexical_fault(content.replace(b">> BDC", b"> BDC")) is not None


def test_the_quick_check_of_every_stream_agrees_with_the_walk(broken_build, tex_papers):
    """A clean paper is checked in one pass over its streams, with what the page walk finds (and no less); a
    damaged one, or a bomb, is left to the walk, which says which page draws it."""
    import pikepdf

    from proceedings.checks.streams import quick_streams, walk_streams

    with pikepdf.open(tex_papers["clean"]) as pdf:
        quick, walked = quick_streams(pdf, len(pdf.pages)), walk_streams(pdf, len(pdf.pages))
    assert quick is not None and (quick.damaged, quick.bombs) == ([], [])
    assert walked.held <= quick.held and walked.verified  # the walk fingerprints what it reached;
    assert quick.every_flate and not quick.verified  # the quick check reached all: it says so, and hashes nothing
    assert quick.inflated >= walked.inflated > 0
    _, project, _ = broken_build
    for name in ("damaged", "bomb"):
        with pikepdf.open(project / "camera_ready" / f"{name}.pdf") as pdf:
            assert quick_streams(pdf, len(pdf.pages)) is None


def _rle(data: bytes) -> bytes:
    """RunLength data of literal runs (what some PDF libraries write for page content)."""
    out = bytearray()
    for i in range(0, len(data), 128):
        chunk = data[i:i + 128]
        out += bytes([len(chunk) - 1]) + chunk
    return bytes(out + b"\x80")


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buf, "JPEG")
    return buf.getvalue()


def with_other_filters(pdf: Path, dest: Path) -> Path:
    """``pdf`` with page 1's content RunLength-encoded and a JPEG under Flate (``[/FlateDecode /DCTDecode]``) drawn
    on page 2: streams every reader decodes (qpdf's default level alone does not)."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        first, second = doc.pages[0].obj, doc.pages[1].obj
        contents = first.Contents
        content = b"\n".join(s.read_bytes() for s in (contents if isinstance(contents, pikepdf.Array) else [contents]))
        stream = doc.make_stream(b"")
        stream.write(_rle(content), filter=pikepdf.Name.RunLengthDecode)
        first.Contents = stream
        image = doc.make_stream(b"")
        image.write(zlib.compress(_jpeg()), filter=pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode]))
        image.update({"/Type": pikepdf.Name.XObject, "/Subtype": pikepdf.Name.Image, "/Width": 40, "/Height": 30,
                      "/ColorSpace": pikepdf.Name.DeviceRGB, "/BitsPerComponent": 8})
        resources = second.Resources
        resources.XObject = resources.get("/XObject", pikepdf.Dictionary())
        resources.XObject.ImOther = image
        old = second.Contents
        second.Contents = pikepdf.Array([*(old if isinstance(old, pikepdf.Array) else [old]),
                                         doc.make_stream(b"q 40 0 0 30 300 100 cm /ImOther Do Q")])
        doc.save(dest)
    return dest


def test_runlength_content_and_a_jpeg_under_flate_go_into_the_volume(tmp_path: Path, tex_papers):
    """Streams qpdf reads only past its default decode level are no reason to leave a paper out: it is placed,
    stamped, and the volume passes qpdf --check."""
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    other = with_other_filters(tex_papers["clean"], tmp_path / "other.pdf")
    assert subprocess.run(["qpdf", "--check", str(other)], capture_output=True, check=False).returncode == 0
    project = make_tex_project(tmp_path / "p", {"good": tex_papers["clean"], "other": other})
    result = build_project(project)
    report = result.report.by_id("other")
    assert report.usable and report.errors == [] and [p.paper.id for p in result.plan.papers] == ["good", "other"]
    check = subprocess.run(["qpdf", "--check", str(project / "build/proceedings.pdf")], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout


def test_a_jpeg_under_flate_is_still_decoded_to_be_checked():
    import pikepdf

    from proceedings.pdf.streams import pike_stream_fault

    doc = pikepdf.new()
    good, bad = (doc.make_stream(b"") for _ in range(2))
    chain = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode])
    good.write(zlib.compress(_jpeg()), filter=chain)
    bad.write(zlib.compress(b"\xff\xd8\xff\xe0 not a JPEG at all" * 4), filter=chain)
    assert pike_stream_fault(good) is None
    assert "JPEG" in (pike_stream_fault(bad) or "")


def test_a_jpeg_under_flate_with_a_predictor_is_not_taken_for_damaged(tmp_path: Path):
    """The Flate step before a JPEG may carry a PNG predictor (valid, and qpdf --check passes it): the JPEG is what
    the predictor gives back, not the inflated rows, which are no JPEG."""
    import pikepdf

    from proceedings.pdf.streams import pike_stream_fault, stream_fault

    jpeg = _jpeg()
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    image = pikepdf.Stream(pdf, zlib.compress(b"\x00" + jpeg))  # one PNG row (type None) holding the JPEG
    image.stream_dict = pikepdf.Dictionary(
        Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=40, Height=30, BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode]),
        DecodeParms=pikepdf.Array([pikepdf.Dictionary(Predictor=12, Columns=len(jpeg)), None]))
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].Contents = pdf.make_stream(b"q 40 0 0 30 10 10 cm /Im0 Do Q")
    pdf.save(tmp_path / "predicted.pdf")
    if shutil.which("qpdf") is not None:
        assert subprocess.run(["qpdf", "--check", str(tmp_path / "predicted.pdf")], capture_output=True,
                              check=False).returncode == 0
    with pikepdf.open(tmp_path / "predicted.pdf") as opened:
        assert pike_stream_fault(opened.pages[0].Resources.XObject.Im0) is None
    reader = PdfReader(tmp_path / "predicted.pdf")
    assert stream_fault(reader.pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()) is None


def test_a_stream_known_by_its_bytes_is_known_with_its_predictor_too():
    """Stamping skips a Flate stream validation inflated, known by its bytes: one the stream walk does not reach
    (under a page key it skips), with the same bytes but a predictor whose rows are bad, is still checked."""
    from collections import Counter

    import pikepdf
    from pikepdf import Dictionary, Name

    from proceedings.pdf.pagecopy import copy_pages, open_pdf
    from proceedings.pdf.streams import DamagedStream, check_part
    from proceedings.stages.validate import _stream_report

    raw = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    content = pikepdf.Stream(pdf, raw)
    content.Filter = Name.FlateDecode
    page.Contents = pdf.make_indirect(content)
    rows = pikepdf.Stream(pdf, raw)
    rows.Filter = Name.FlateDecode
    rows.DecodeParms = Dictionary(Predictor=12, Columns=1)  # rows of 2 bytes: "B" is no filter type
    page["/D"] = pdf.make_indirect(rows)  # a key the walk skips (a destination), copied with the page
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)
    report = _stream_report("x.pdf", open_pdf(io.BytesIO(buffer.getvalue())), 1)
    assert report is not None and not report.damaged and report.verified and not report.every_flate
    copy = pikepdf.new()
    new = copy_pages(copy, open_pdf(io.BytesIO(buffer.getvalue())), Counter())
    with pytest.raises(DamagedStream, match="PNG predictor row"):
        check_part(copy, new, report.for_stamping())


def test_fingerprints_are_kept_only_for_a_stamping_that_follows():
    """A check that stamps nothing after it (``proceedings check``) tells stamping nothing; one that does, and has
    read every stream of the file, says so without hashing any."""
    import pikepdf

    from proceedings.pdf.pagecopy import open_pdf
    from proceedings.stages.validate import _stream_report

    pdf = pikepdf.new()
    pdf.add_blank_page()
    content = pikepdf.Stream(pdf, zlib.compress(b"0 0 m 10 10 l S"))
    content.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].Contents = pdf.make_indirect(content)
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)
    kept = _stream_report("x.pdf", open_pdf(io.BytesIO(buffer.getvalue())), 1)
    skipped = _stream_report("x.pdf", open_pdf(io.BytesIO(buffer.getvalue())), 1, stamping=False)
    assert kept is not None and kept.every_flate and kept.verified == set()
    assert skipped is not None and not skipped.every_flate and skipped.verified == set() and not skipped.damaged


def test_stamping_inflates_again_only_what_validation_did_not(monkeypatch):
    """After a check that decoded every stream, stamping decodes none of them again: neither those of Flate alone
    (an empty one among them: no data inflates to nothing for every reader) nor the JPEG, which the check read as
    ``qpdf --check`` does; told nothing, it decodes them all. A single blank byte under Flate, on which
    ``qpdf --check`` warns that the data ends early, is the check's finding."""
    from collections import Counter

    import pikepdf
    from pikepdf import Dictionary, Name

    import proceedings.pdf.streams as streams
    from proceedings.pdf.pagecopy import copy_pages, open_pdf
    from proceedings.stages.validate import _stream_report

    def made(extra: bytes | None) -> bytes:
        pdf = pikepdf.new()
        pdf.add_blank_page()
        content = pikepdf.Stream(pdf, zlib.compress(b"q 10 0 0 10 0 0 cm /Im0 Do Q"))
        content.Filter = Name.FlateDecode
        pdf.pages[0].Contents = pdf.make_indirect(content)
        image = pikepdf.Stream(pdf, _jpeg(), Type=Name.XObject, Subtype=Name.Image, Width=40, Height=30,
                               ColorSpace=Name.DeviceRGB, BitsPerComponent=8, Filter=Name.DCTDecode)
        pdf.pages[0].Resources = Dictionary(XObject=Dictionary(Im0=pdf.make_indirect(image)))
        buffer = io.BytesIO()
        pdf.save(buffer, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        if extra is None:
            return buffer.getvalue()
        writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))  # qpdf would drop the filter of no data
        blank = StreamObject()
        blank._data = extra
        blank[NameObject("/Filter")] = NameObject("/FlateDecode")
        page = writer.pages[0]
        page[NameObject("/Contents")] = ArrayObject([page.raw_get("/Contents"), writer._add_object(blank)])
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    decoded: list[str] = []
    real = streams.pike_stream_fault
    monkeypatch.setattr(streams, "pike_stream_fault", lambda s: decoded.append(str(s.get("/Filter"))) or real(s))
    for extra in (None, b""):
        data = made(extra)
        report = _stream_report("x.pdf", open_pdf(io.BytesIO(data)), 1)
        assert report is not None and not report.damaged and report.every_flate
        copy = pikepdf.new()
        new = copy_pages(copy, open_pdf(io.BytesIO(data)), Counter())
        decoded.clear()
        streams.check_part(copy, new, report.for_stamping())
        assert decoded == []
        streams.check_part(copy, new)
        assert sorted(decoded) == ["/DCTDecode", *["/FlateDecode"] * (1 if extra is None else 2)]
    blank = made(b" ")
    report = _stream_report("x.pdf", open_pdf(io.BytesIO(blank)), 1)
    assert report is not None and [why for _, _, why in report.damaged] == [
        "the compressed data ends early: the stream is truncated"]
    if shutil.which("qpdf"):
        path = Path(tempfile.mkdtemp()) / "blank.pdf"
        path.write_bytes(blank)
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
        assert checked.returncode != 0 and "input stream is complete" in checked.stdout + checked.stderr


def test_a_type3_glyph_under_one_flate_filter_in_an_array_is_inflated_within_its_limit():
    import pikepdf

    from proceedings.checks.type3 import _glyph_data

    pdf = pikepdf.new()
    glyph = pikepdf.Stream(pdf, zlib.compress(b"0 0 m " * 400_000))  # 2.4 MB of glyph: past the 1 MiB read
    glyph.Filter = pikepdf.Array([pikepdf.Name.FlateDecode])
    assert _glyph_data(glyph) == b""


@pytest.mark.parametrize("chain", [["/FlateDecode", "/FlateDecode"], ["/ASCIIHexDecode", "/FlateDecode"]])
def test_a_type3_glyph_under_any_chain_is_decoded_within_its_limit(chain):
    """The glyph limit holds for every chain of general filters, not for Flate alone: a glyph decoding past it is
    read as empty, one within it as it decodes."""
    import pikepdf

    from proceedings.checks.type3 import GLYPH_LIMIT, _glyph_data

    def encoded(data: bytes) -> bytes:
        for name in reversed(chain):
            data = zlib.compress(data) if name == "/FlateDecode" else data.hex().encode("ascii") + b">"
        return data

    pdf = pikepdf.new()
    big = b"0 0 m " * (GLYPH_LIMIT // 3)  # twice the limit
    glyph = pikepdf.Stream(pdf, encoded(big))
    glyph.Filter = pikepdf.Array([pikepdf.Name(n) for n in chain])
    assert _glyph_data(glyph) == b""
    small = pikepdf.Stream(pdf, encoded(b"0 0 m 10 10 l f"))
    small.Filter = pikepdf.Array([pikepdf.Name(n) for n in chain])
    assert _glyph_data(small) == b"0 0 m 10 10 l f"


def _noisy_jpeg(mode: str, progressive: bool) -> bytes:
    from PIL import Image

    size = (320, 240)
    image = Image.blend(Image.effect_noise(size, 60).convert(mode),
                        Image.radial_gradient("L").resize(size).convert(mode), 0.5)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85, progressive=progressive)
    return buf.getvalue()


def _full_decode_fault(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception:  # noqa: BLE001 - any decoder failure, a truncated image too (qpdf --check fails on it)
        return True
    return False


def test_a_truncated_jpeg_keeps_its_paper_out_as_qpdf_check_would_fail_the_volume(tmp_path):
    """A figure file cut short (an interrupted download) goes into the PDF as it is: pdflatex reads only its
    header. Viewers draw the part they have; ``qpdf --check`` fails on the file. Validation finds it (the paper
    is left out, the reason named), so the volume still passes; the same photo whole is placed."""
    from tests.texarticles import article, compile_tex

    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    photo = _noisy_jpeg("RGB", False)
    figure = ("\\begin{figure}[t]\\centering\\includegraphics[width=\\columnwidth]{photo.jpg}"
              "\\caption{A photograph.}\\end{figure}\n\\section{Part 2}")
    papers = {}
    for name, data in (("whole", photo), ("cut", photo[:len(photo) * 2 // 3])):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "photo.jpg").write_bytes(data)
        source = article(preamble="\\usepackage{graphicx}", seed=7).replace("\\section{Part 2}", figure, 1)
        papers[name] = compile_tex(source, folder)
    checked = {name: subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True, check=False)
               for name, pdf in papers.items()}
    assert checked["whole"].returncode == 0 and checked["cut"].returncode == 3, checked["cut"].stderr
    assert "jpeg" in checked["cut"].stderr.lower()
    project = make_tex_project(tmp_path / "project", papers)
    result = build_project(project)
    assert result.report.by_id("whole").usable and result.report.by_id("whole").findings == []
    cut = result.report.by_id("cut")
    assert not cut.usable and [f.rule for f in cut.findings] == ["damaged-stream"]
    assert "the JPEG data ends before the image does: the image was cut short)" in cut.findings[0].message
    assert "Open the figure files in an image viewer" in cut.findings[0].fix  # compiling again would not mend it
    metadata = json.loads((project / "build" / "metadata.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in metadata["papers"]] == ["whole"]
    for made in (project / "build" / "proceedings.pdf", project / "build" / "papers" / "whole.pdf"):
        done = subprocess.run(["qpdf", "--check", str(made)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def _qpdf_check(data: bytes, mode: str, folder: Path) -> int:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    space = {"RGB": pikepdf.Name.DeviceRGB, "L": pikepdf.Name.DeviceGray, "CMYK": pikepdf.Name.DeviceCMYK}[mode]
    image = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=320,
                           Height=240, ColorSpace=space, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].Contents = pdf.make_stream(b"q 100 0 0 75 0 0 cm /Im0 Do Q")
    pdf.save(folder / "image.pdf")
    return subprocess.run(["qpdf", "--check", str(folder / "image.pdf")], capture_output=True, check=False).returncode


@pytest.mark.parametrize(("mode", "progressive"), [("RGB", False), ("L", False), ("RGB", True), ("CMYK", False)])
def test_a_jpeg_checked_at_an_eighth_of_its_size_fails_where_a_full_decode_and_qpdf_do(tmp_path, mode, progressive):
    """The stamping check decodes a JPEG scaled down (every marker and coefficient still read): on damaged copies
    it finds exactly the faults a full decode finds, and none where ``qpdf --check`` (which decodes images) passes."""
    import random

    from proceedings.pdf.jpeg import jpeg_fault

    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    data = _noisy_jpeg(mode, progressive)
    assert jpeg_fault(data) is None
    rng = random.Random(f"{mode}{progressive}")
    faults = 0
    for trial in range(24):
        damaged = bytearray(data)
        at = rng.randrange(700, len(data) - 40)
        if trial % 2:
            damaged[at:at + 2] = bytes([0xFF, rng.choice([0xC4, 0xDA, 0xD9, 0x01, 0xC0, 0x8D])])
        else:
            damaged[at:at + 20] = bytes(rng.randrange(256) for _ in range(20))
        found = jpeg_fault(bytes(damaged))
        assert (found is not None) == _full_decode_fault(bytes(damaged)), (trial, found)
        if found is not None:
            faults += 1
            assert _qpdf_check(bytes(damaged), mode, tmp_path) != 0, (trial, found)
        elif trial < 6:
            assert _qpdf_check(bytes(damaged), mode, tmp_path) in (0, 3), trial  # passes, or warns at most
    assert faults >= 3  # the damage was found where it was


def with_empty_stream(pdf: Path, dest: Path) -> Path:
    """``pdf`` with an empty Flate stream (no bytes, ``/Filter /FlateDecode``) at the end of page 1's contents, as
    some producers write one: ``qpdf --check`` passes it (qpdf itself drops the filter of no data, so pypdf)."""
    writer = PdfWriter(clone_from=pdf)
    page = writer.pages[0]
    empty = StreamObject()
    empty[NameObject("/Filter")] = NameObject("/FlateDecode")
    contents = page.raw_get("/Contents")
    items = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents]
    page[NameObject("/Contents")] = ArrayObject([*items, writer._add_object(empty)])
    with open(dest, "wb") as handle:
        writer.write(handle)
    return dest


def test_an_empty_flate_stream_does_not_keep_a_paper_out(tmp_path, tex_papers):
    """An empty Flate stream inflates to nothing for every reader and ``qpdf --check``: the paper is placed, its
    stamped copy and the volume pass ``qpdf --check`` (stamping and verification called it truncated)."""
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    empty = with_empty_stream(tex_papers["clean"], tmp_path / "empty.pdf")
    checked = subprocess.run(["qpdf", "--check", str(empty)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    project = make_tex_project(tmp_path / "project", {"empty": empty})
    result = build_project(project)
    assert result.report.by_id("empty").usable and result.report.by_id("empty").findings == []
    metadata = json.loads((project / "build" / "metadata.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in metadata["papers"]] == ["empty"] and not metadata["excluded"]
    for made in (project / "build" / "proceedings.pdf", project / "build" / "papers" / "empty.pdf"):
        checked = subprocess.run(["qpdf", "--check", str(made)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_progressive_jpeg_too_large_to_decode_in_memory_is_left_unchecked(monkeypatch):
    """libjpeg holds a progressive JPEG's every coefficient until its last scan: one larger than the budget would
    run a worker out of memory, which Pillow reports as a broken stream, and a sound photo would be called damaged.
    Such a JPEG is left to the readers (which have the memory); a baseline JPEG of any size is still read."""
    import proceedings.pdf.jpeg as jpeg

    progressive, baseline = _noisy_jpeg("RGB", True), _noisy_jpeg("RGB", False)
    cut = {name: data[:len(data) * 2 // 3] for name, data in (("progressive", progressive), ("baseline", baseline))}
    assert jpeg.jpeg_fault(cut["progressive"]) and jpeg.jpeg_fault(cut["baseline"])
    monkeypatch.setattr(jpeg, "PROGRESSIVE_BUDGET", 320 * 240 * 3 * 2 - 1)  # one byte short of this photo's needs
    assert jpeg.jpeg_fault(cut["progressive"]) is None and jpeg.jpeg_fault(progressive) is None
    assert jpeg.jpeg_fault(cut["baseline"]) and jpeg.jpeg_fault(baseline) is None


@pytest.mark.parametrize(("filters", "parms", "cut", "found"), [
    (["/FlateDecode", "/DCTDecode"], {"Predictor": "/None"}, False, False),  # an odd predictor qpdf takes as none
    (["/FlateDecode", "/FlateDecode", "/DCTDecode"], None, True, True),  # a JPEG cut short behind two Flates
    (["/FlateDecode", "/FlateDecode", "/DCTDecode"], None, False, False),
])
def test_validation_and_stamping_agree_on_a_jpeg_behind_any_general_filters(filters, parms, cut, found):
    """Validation reads a JPEG behind general-purpose filters as ``qpdf --check`` does (the image cut short is its
    finding), and a paper it passes is stamped: stamping asks the same rule which JPEGs were read, never a copy
    of it that raised on a predictor that is no number."""
    from collections import Counter

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from proceedings.pdf.pagecopy import copy_pages, open_pdf
    from proceedings.pdf.streams import check_part
    from proceedings.stages.validate import _stream_report

    jpeg = _noisy_jpeg("RGB", False)
    data = jpeg[:len(jpeg) * 2 // 3] if cut else jpeg
    for name in reversed(filters[:-1]):
        data = zlib.compress(data) if name == "/FlateDecode" else data
    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pikepdf.Stream(pdf, data, Type=Name.XObject, Subtype=Name.Image, Width=320, Height=240,
                           ColorSpace=Name.DeviceRGB, BitsPerComponent=8, Filter=Array([Name(f) for f in filters]))
    if parms is not None:
        image.DecodeParms = Array([Dictionary({f"/{k}": Name(v) for k, v in parms.items()}), None])
    pdf.pages[0].Resources = Dictionary(XObject=Dictionary(Im0=pdf.make_indirect(image)))
    pdf.pages[0].Contents = pdf.make_stream(b"q 100 0 0 75 0 0 cm /Im0 Do Q")
    buffer = io.BytesIO()
    pdf.save(buffer)
    report = _stream_report("x.pdf", open_pdf(io.BytesIO(buffer.getvalue())), 1)
    assert report is not None and bool(report.damaged) == found, report.damaged
    if shutil.which("qpdf"):
        path = Path(tempfile.mkdtemp()) / "image.pdf"
        path.write_bytes(buffer.getvalue())
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False)
        assert (checked.returncode != 0) == found
    if not found:
        copy = pikepdf.new()
        check_part(copy, copy_pages(copy, open_pdf(io.BytesIO(buffer.getvalue())), Counter()), report.for_stamping())


def test_a_jpeg_behind_a_later_filter_with_a_predictor_is_left_to_viewers(tmp_path: Path):
    """ASCIIHex, then Flate with a PNG predictor, then DCT: qpdf --check undoes the first two, predictor and all,
    and passes the file. Validation does not undo predictors before a JPEG, so it must not read the rows it gets
    as a JPEG either (it called the image damaged, reading only the first filter's parameters)."""
    import binascii
    from collections import Counter

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from proceedings.pdf.pagecopy import copy_pages, open_pdf
    from proceedings.pdf.streams import check_part
    from proceedings.stages.validate import _stream_report

    jpeg = _noisy_jpeg("RGB", False)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pikepdf.Stream(pdf, binascii.hexlify(zlib.compress(b"\x00" + jpeg)) + b">", Type=Name.XObject,
                           Subtype=Name.Image, Width=320, Height=240, ColorSpace=Name.DeviceRGB, BitsPerComponent=8,
                           Filter=Array([Name.ASCIIHexDecode, Name.FlateDecode, Name.DCTDecode]),
                           DecodeParms=Array([None, Dictionary(Predictor=12, Columns=len(jpeg)), None]))
    pdf.pages[0].Resources = Dictionary(XObject=Dictionary(Im0=pdf.make_indirect(image)))
    pdf.pages[0].Contents = pdf.make_stream(b"q 100 0 0 75 0 0 cm /Im0 Do Q")
    path = tmp_path / "chain.pdf"
    pdf.save(path)
    if shutil.which("qpdf"):
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False).returncode == 0
    report = _stream_report(str(path), open_pdf(path), 1)
    assert report is not None and not report.damaged, report.damaged
    copy = pikepdf.new()
    check_part(copy, copy_pages(copy, open_pdf(path), Counter()), report.for_stamping())  # stamped as checked


def test_data_that_is_no_jpeg_is_said_the_same_way_every_time():
    """Pillow's message for data it cannot identify names a memory address: the finding (and validation.html) said
    something else each build."""
    from proceedings.pdf.jpeg import jpeg_fault

    first, second = jpeg_fault(b"\x00" * 64), jpeg_fault(bytes(64))
    assert first == second and first is not None and "0x" not in first


@pytest.mark.parametrize("quick", [True, False])
def test_stamping_in_the_file_checked_reads_page_content_as_validation_inflated_it(quick):
    """A page's content streams of Flate alone, inflated whole by the stream check (quick, or the page walk), are
    handed to stamping in the file checked, which reads them from there, not decoding them again; one with a
    predictor (qpdf decodes it to other bytes) is not, nor is any for a file that is not the one checked."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from proceedings.checks.streams import quick_streams, walk_streams
    from proceedings.pdf.streams import DamagedStream, check_part

    pdf = pikepdf.new()
    pdf.add_blank_page()
    plain = pdf.make_stream(zlib.compress(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"))
    plain.Filter = Name.FlateDecode
    predicted = pdf.make_stream(zlib.compress(b"\x00q\x00Q"))
    predicted.Filter, predicted.DecodeParms = Name.FlateDecode, Dictionary(Predictor=12, Columns=1)
    pdf.pages[0].obj.Contents = Array([plain, predicted])
    report = (quick_streams if quick else walk_streams)(pdf, 1, stamping=True)
    assert report is not None and set(report.contents) == {plain.objgen}
    assert report.contents[plain.objgen] == b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
    check_part(pdf, [0], report.for_stamping(pdf))
    report.contents[plain.objgen] = b"(unterminated"  # what stamping reads, as the proof it reads it
    with pytest.raises(DamagedStream, match="unterminated string"):
        check_part(pdf, [0], report.for_stamping(pdf))
    check_part(pdf, [0], report.for_stamping())  # not told which file: decoded again
    assert not (quick_streams if quick else walk_streams)(pdf, 1, stamping=False).contents
