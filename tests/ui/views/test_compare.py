"""Compare view: two uploaded editions (or a draft against its indexed edition) give the changes per
clause, each clause's detail as escaped text, and the redline, the changes report and the amendment to
download; bad uploads are refused naming the file and the reason. Runs on the synthetic library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docx
import gradio as gr
import pytest

from copilot.redline import accept_all, body_paragraphs, visible_text
from rapporteur.settings import Settings
from rapporteur.workspace import Workspace
from tests.synthetic import SCRIPT_TEXT, Y9904, Y9904_WITHDRAWAL, revised_y9904, write_docx
from ui.views.compare import NO_REDLINE, change_detail, change_rows, compare_uploads, summary_markdown


@pytest.fixture
def workspace(synthetic_library: Settings) -> Iterator[Workspace]:
    ws = Workspace(synthetic_library)
    yield ws
    ws.close()


def _kinds(rows: list[list[object]]) -> dict[tuple[object, object], object]:
    """(old number, new number) -> kind; the table leaves 'was' empty when the number is unchanged."""
    return {(row[2] or row[1], row[1]): row[3] for row in rows}


def test_two_uploads_give_the_changes_per_clause_the_redline_and_the_amendment(
    workspace: Workspace, tmp_path: Path
) -> None:
    # Both uploads carry one name: neither may replace the other.
    for side in ("old", "new"):
        (tmp_path / side).mkdir()
    old = write_docx([*Y9904, *Y9904_WITHDRAWAL], tmp_path / "old" / "Y.9904.docx")
    new = write_docx(revised_y9904(), tmp_path / "new" / "Y.9904.docx")

    diff, files, notes = compare_uploads(workspace, str(old), str(new), against_index=False)

    rows = change_rows(diff)
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("3.2", "", "changed"),
        ("6", "", "changed"),
        ("7", "", "added"),
        ("8", "7", "renumbered"),
        ("A.1", "", "changed"),
        ("A.2", "", "removed"),
    ]
    assert notes == []
    assert [Path(f).name for f in files] == [
        "Y.9904.redline.docx", "Y.9904.changes.md", "Y.9904.changes.html", "Y.9904.amendment.txt",
        "Y.9904.amendment.docx",
    ]  # fmt: skip
    redline = docx.Document(files[0])
    accept_all(redline.element.body)
    assert [visible_text(p._p) for p in body_paragraphs(redline)] == [text for _, text in revised_y9904()]
    amendment = "\n".join(p.text for p in docx.Document(files[4]).paragraphs)
    assert "Renumber clause 7 as clause 8." in amendment and "Delete clause A.2." in amendment
    assert Path(files[3]).read_text(encoding="utf-8").splitlines()[-1] == "Delete clause A.2."

    allocation = change_detail(diff, 2)
    assert "<script" not in allocation
    assert "&lt;script&gt;alert(&#x27;list&#x27;)&lt;/script&gt;" in allocation
    assert "<del>30</del><ins>20</ins>" in change_detail(diff, 5)
    assert "manufacturer code</b> removed" in change_detail(diff, 1)
    assert change_detail(diff, 0) == change_detail(diff, len(rows) + 1) == change_detail(None, 1) == ""
    assert "6 clauses differ" in summary_markdown(diff, notes)
    assert SCRIPT_TEXT in (diff.changes[1].new_text or "")  # the diff keeps the text; views escape it


def test_a_draft_against_its_indexed_edition(workspace: Workspace, tmp_path: Path) -> None:
    draft = write_docx(revised_y9904(), tmp_path / "Y.9904 draft (v2).docx")
    diff, files, _ = compare_uploads(workspace, None, str(draft), against_index=True)
    assert Path(diff.old.path).name == "T-REC-Y.9904-202206-I!!MSW-E.docx"  # the indexed edition
    assert _kinds(change_rows(diff)) == {
        ("3.2", "3.2"): "changed",
        ("6", "6"): "changed",
        ("7", "7"): "added",
        ("7", "8"): "renumbered",
        ("A.1", "A.1"): "changed",
    }
    assert Path(files[0]).name == "Y.9904_draft_(v2).redline.docx"


def test_a_markdown_edition_is_compared_without_a_redline(workspace: Workspace, tmp_path: Path) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text("# Note on widgets\n\n## 1 Scope\n\nWidgets are counted hourly.\n", encoding="utf-8")
    new.write_text("# Note on widgets\n\n## 1 Scope\n\nWidgets are counted daily.\n", encoding="utf-8")
    diff, files, notes = compare_uploads(workspace, str(old), str(new), against_index=False)
    assert [(row[1], row[3]) for row in change_rows(diff)] == [("1", "changed")]
    assert notes == [NO_REDLINE] and not any(f.endswith(".redline.docx") for f in files)
    assert "No redline" in summary_markdown(diff, notes)


def test_bad_uploads_are_refused_naming_the_file_and_the_reason(workspace: Workspace, tmp_path: Path) -> None:
    draft = tmp_path / "notes.md"
    draft.write_text("# Widget notes\n\n## 1 Scope\n\nWidgets.\n", encoding="utf-8")
    with pytest.raises(gr.Error, match="Choose the new edition"):
        compare_uploads(workspace, str(draft), None, against_index=False)
    with pytest.raises(gr.Error, match="Choose the old edition"):
        compare_uploads(workspace, None, str(draft), against_index=False)
    with pytest.raises(gr.Error, match=r"'notes\.md: no Recommendation identifier found in it"):
        compare_uploads(workspace, None, str(draft), against_index=True)
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(gr.Error, match=r"'scan\.pdf: unknown format"):
        compare_uploads(workspace, str(binary), str(draft), against_index=False)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ" * 10)
    with pytest.raises(gr.Error, match=r"'setup\.exe: files of type \.exe are not accepted here"):
        compare_uploads(workspace, str(draft), str(program), against_index=False)
