"""The test helpers that compile acmart papers skip, saying why, on a TeX that cannot compile them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import texclients, texpapers


@pytest.fixture
def tex_without_binhex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH whose TeX has every file but binhex.tex (texlive-plain-generic), which acmart's fonts (newtx) read."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("pdflatex", "bibtex", "biber", "pdftotext"):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (bin_dir / "kpsewhich").write_text(
        '#!/bin/sh\n[ "$1" = binhex.tex ] && exit 1\necho "/texmf/$1"\n', encoding="utf-8")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_the_papers_helper_needs_binhex(tex_without_binhex) -> None:
    assert "binhex.tex" in (texpapers.tex_available() or "")


def test_the_clients_helper_needs_binhex(tex_without_binhex) -> None:
    assert "binhex.tex" in (texclients.missing() or "")
