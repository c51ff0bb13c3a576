"""The journal of a build's records (validation results, stamped papers): one append-only file under .cache/."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from proceedings.util import journal as journal_module
from proceedings.util.journal import Journal


def test_the_last_record_of_a_key_wins_and_a_dropped_key_is_gone(tmp_path: Path):
    path = tmp_path / ".cache" / "records.jsonl"
    journal = Journal(path)
    assert journal.get("1") is None and journal.keys() == set()
    journal.put("1", {"pages": 4, "layout": {"objects": [1, 2]}})
    journal.put("2", {"pages": 6})
    journal.put("1", {"pages": 5})
    journal.put("tab\tand\nnewline", {"pages": 7})
    journal.drop("2")
    assert len(path.read_bytes().splitlines()) == 5  # appended, never rewritten
    again = Journal(path)  # another build reads it back
    assert again.get("1") == {"pages": 5}
    assert again.get("tab\tand\nnewline") == {"pages": 7}
    assert again.get("2") is None and again.keys() == {"1", "tab\tand\nnewline"}
    record = again.get("1")
    record["pages"] = 0  # a caller's change stays with the caller
    assert again.get("1") == {"pages": 5}


def test_a_line_cut_short_is_skipped_and_the_next_starts_its_own(tmp_path: Path):
    path = tmp_path / "records.jsonl"
    Journal(path).put("1", {"pages": 4})
    with path.open("ab") as handle:  # a build stopped while writing its record of paper 2
        handle.write(b'"2"\t{"pages":')
    journal = Journal(path)
    assert journal.keys() == {"1"}
    journal.put("3", {"pages": 8})
    again = Journal(path)
    assert again.get("1") == {"pages": 4} and again.get("3") == {"pages": 8}
    assert again.get("2") is None  # the part written, now a line of its own, is not a record


def test_a_record_damaged_on_disk_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = tmp_path / "records.jsonl"
    Journal(path).put("1", {"pages": 4})
    Journal(path).put("2", {"pages": 6})
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"pages":4', b'"pages":5').replace(b'"pages":6', b'"pages":[6'))
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        journal = Journal(path)
        assert journal.get("1") is None and journal.get("2") is None
    assert "cache entry records.jsonl[1] is damaged (sha256 mismatch)" in caplog.text
    assert "cache entry records.jsonl[2] is damaged (not JSON)" in caplog.text


def test_each_reader_sees_what_another_appended_or_rewrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "records.jsonl"
    one, two = Journal(path), Journal(path)
    one.put("1", {"pages": 4})
    assert two.get("1") == {"pages": 4}
    two.drop("1")
    assert one.get("1") is None
    monkeypatch.setattr(journal_module, "SLACK", 2)
    for n in range(6):
        one.put(str(n % 2), {"pages": n})
    two.tidy(["1", "7"])  # most lines outdated: written again with what is wanted
    assert path.read_bytes().count(b"\n") == 1
    assert one.keys() == {"1"} and one.get("1") == {"pages": 5}
    size = path.stat().st_size
    two.tidy(["1"])  # nothing outdated: left as it is
    assert path.stat().st_size == size


def test_a_journal_that_cannot_be_written_says_so(tmp_path: Path):
    path = tmp_path / "records.jsonl"
    path.mkdir()  # not a file: opened for appending, it fails as a full or read-only disk would
    with pytest.raises(OSError):
        Journal(path).put("1", {"pages": 4})
    assert Journal(path).get("1") is None


@pytest.mark.parametrize("cut", [b'"1"\t{"pages":5,"sea', b'"1"\t', b'"1"\t{"pages":5,"sealed":"' + b"0" * 64])
def test_a_line_cut_short_never_replaces_the_record_before_it(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                              cut: bytes):
    """A build stopped while writing a key's new record leaves its earlier one in force, once the next build has
    appended after the line cut short: that line is skipped, not read as a damaged record (a warning, the earlier
    record shadowed) nor, cut right after the tab, as the key dropped."""
    path = tmp_path / "records.jsonl"
    Journal(path).put("1", {"pages": 4})
    with path.open("ab") as handle:
        handle.write(cut)
    reader, writer = Journal(path), Journal(path)
    assert reader.get("1") == {"pages": 4}  # another instance of this build, which read the file as it was cut
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        writer.put("2", {"pages": 6})
        assert reader.get("1") == {"pages": 4} and Journal(path).get("1") == {"pages": 4}
        assert Journal(path).keys() == reader.keys() == {"1", "2"}
    assert caplog.text == ""


def test_the_record_files_of_an_earlier_version_are_removed(tmp_path: Path):
    """Before the journals, a build kept a file per paper's record: the next command into the folder removes them
    (the stamped papers beside them stay)."""
    from proceedings.context import make_context
    from proceedings.pipeline import held

    ctx = make_context(tmp_path, tmp_path / "build")
    old = [ctx.out_dir / ".cache" / "validation" / f"{'a' * 64}.json", ctx.out_dir / ".cache" / "stamped" / "7.json"]
    kept = ctx.out_dir / ".cache" / "stamped" / "7.pdf"
    for path in [*old, kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    with held(ctx):
        pass
    assert not any(path.exists() for path in old) and not old[0].parent.exists()
    assert kept.exists()
