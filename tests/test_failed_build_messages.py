"""Where a failed build says to look: the output folder it was given."""

from __future__ import annotations

import pytest

from proceedings import api
from proceedings.errors import RuleViolation
from tests.conftest import copy_project


def test_no_readable_paper_names_the_validation_report_where_it_was_written(tmp_path):
    """The message pointed to build/validation.json whatever --out was."""
    project = copy_project(tmp_path / "proj")
    for pdf in (project / "camera_ready").glob("*.pdf"):
        pdf.write_bytes(b"")
    out = tmp_path / "elsewhere"
    with pytest.raises(RuleViolation) as info:
        api.build(project, out)
    assert info.value.message.endswith(f"see {out / 'validation.json'}")
    assert (out / "validation.json").is_file()
