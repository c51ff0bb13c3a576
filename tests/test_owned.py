"""util.owned: only files this tool placed are removed as stale, and one it could not remove is tried again."""

from __future__ import annotations

from pathlib import Path

from proceedings.util.owned import prune


def test_a_file_that_could_not_be_removed_is_removed_by_a_later_build(tmp_path: Path, monkeypatch):
    papers = tmp_path / "papers"
    papers.mkdir()
    for name in ("1.pdf", "2.pdf", "mine.pdf"):
        (papers / name).write_bytes(b"%PDF")
    assert prune(tmp_path, "papers", {"1.pdf", "2.pdf"}) == []
    unlink = Path.unlink

    def locked(self: Path, *args, **kwargs) -> None:  # 2.pdf open in a PDF viewer on Windows
        if self.name == "2.pdf":
            raise PermissionError(13, "Permission denied", str(self))
        unlink(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", locked)
        assert prune(tmp_path, "papers", {"1.pdf"}) == []
    assert prune(tmp_path, "papers", {"1.pdf"}) == [papers / "2.pdf"]  # the viewer closed
    assert sorted(p.name for p in papers.iterdir()) == ["1.pdf", "mine.pdf"]  # the chair's own file stays
