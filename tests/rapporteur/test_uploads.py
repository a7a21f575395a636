"""Upload names and limits: what a browser sends never reaches the file system unsanitised."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapporteur.uploads import (
    DRAFT_SUFFIXES,
    LIBRARY_SUFFIXES,
    MAX_NAME_CHARS,
    UploadError,
    check_upload,
    keep,
    safe_name,
    stage,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("T-REC-Y.1543-201806-I!!MSW-E.docx", "T-REC-Y.1543-201806-I!!MSW-E.docx"),
        ("R-REC-P.452-18-202310-I!!PDF-E(1).pdf", "R-REC-P.452-18-202310-I!!PDF-E(1).pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("/abs/path/draft.md", "draft.md"),
        (".bashrc", "upload.bashrc"),
        ("..", "upload"),
        ("", "upload"),
        ("my draft (v2) – résumé.docx", "my_draft_(v2)_resume.docx"),
        ("a;rm -rf ~;b.txt", "a_rm_-rf_b.txt"),
        ("null\x00byte.md", "nullbyte.md"),
        ("line\nbreak.txt", "line_break.txt"),
        ("草案.docx", "upload.docx"),
        ("CON.txt", "_CON.txt"),
        ("report..md", "report.md"),
    ],
)
def test_safe_name_keeps_itu_names_and_defuses_the_rest(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_safe_name_caps_the_length_and_keeps_the_extension() -> None:
    name = safe_name("x" * 500 + ".docx")
    assert len(name) == MAX_NAME_CHARS
    assert name.endswith(".docx")


def test_check_upload_refuses_other_kinds_naming_the_file(tmp_path: Path) -> None:
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(UploadError, match=r"^setup\.exe: files of type \.exe are not accepted"):
        check_upload(exe, DRAFT_SUFFIXES, 1000)


def test_check_upload_refuses_empty_and_oversized_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(UploadError, match="empty.md: the file is empty"):
        check_upload(empty, DRAFT_SUFFIXES, 1000)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF" + b"0" * 2000)
    with pytest.raises(UploadError, match="big.pdf: 2,004 bytes is over the upload limit of 1,000 bytes"):
        check_upload(big, LIBRARY_SUFFIXES, 1000)


def test_suffix_check_ignores_case(tmp_path: Path) -> None:
    upper = tmp_path / "DRAFT.DOCX"
    upper.write_bytes(b"PK")
    assert check_upload(upper, DRAFT_SUFFIXES, 1000) == "DRAFT.DOCX"


def test_stage_copies_under_the_safe_name_inside_the_folder(tmp_path: Path) -> None:
    source = tmp_path / "in" / "my draft;v1.md"
    source.parent.mkdir()
    source.write_text("# 1 Scope\n", encoding="utf-8")
    dest_dir = tmp_path / "out"
    staged = stage(source, dest_dir, DRAFT_SUFFIXES, 1000)
    assert staged == dest_dir / "my_draft_v1.md"
    assert staged.read_text(encoding="utf-8") == "# 1 Scope\n"
    assert [p.name for p in dest_dir.iterdir()] == ["my_draft_v1.md"]


def test_keep_gives_each_content_its_own_folder_under_the_same_name(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    mine, theirs = tmp_path / "a" / "report.md", tmp_path / "b" / "report.md"
    for path, text in ((mine, "# 1 Scope\nmine\n"), (theirs, "# 1 Scope\ntheirs\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    kept_mine = keep(mine, uploads, LIBRARY_SUFFIXES, 1024)
    kept_theirs = keep(theirs, uploads, LIBRARY_SUFFIXES, 1024)
    assert kept_mine.name == kept_theirs.name == "report.md"
    assert kept_mine != kept_theirs
    assert kept_mine.read_text(encoding="utf-8") == "# 1 Scope\nmine\n"
    assert kept_theirs.read_text(encoding="utf-8") == "# 1 Scope\ntheirs\n"
    assert keep(mine, uploads, LIBRARY_SUFFIXES, 1024) == kept_mine  # the same file twice: one copy
    with pytest.raises(UploadError, match="report.md: .* over the upload limit"):
        keep(mine, uploads, LIBRARY_SUFFIXES, 4)
