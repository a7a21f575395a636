"""``rapporteur diff`` and ``rapporteur draft amendment`` end to end: the JSON contract, the written
Markdown/HTML/redline files and the amendment layout, on an ITU-style Word pair written here (no corpus)
and on a published pair from ../shared/corpus."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from copilot.redline import accept_all, reject_all, visible_text
from rapporteur.cli import main
from rapporteur.errors import EXIT_ERROR
from tests.synthetic import SCRIPT_TEXT, Y9904, Y9904_WITHDRAWAL, Y9904_WRITING, revised_y9904, write_docx

CHANGE_KEYS = {"clause", "old_clause", "new_clause", "kind", "heading", "old_text", "new_text", "records"}
EXPECTED = {
    ("3.2", "3.2"): "changed",
    ("6", "6"): "changed",
    (None, "7"): "added",
    ("7", "8"): "renumbered",
    ("A.1", "A.1"): "changed",
    ("A.2", None): "removed",
}


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("editions")
    old = write_docx([*Y9904, *Y9904_WITHDRAWAL], folder / "Y.9904-old.docx")
    return old, write_docx(revised_y9904(), folder / "Y.9904-new.docx")


def _texts(root: object) -> list[str]:
    return [t for p in root.iter(qn("w:p")) if (t := visible_text(p)).strip()]  # type: ignore[attr-defined]


def test_diff_json_follows_the_contract_and_reports_each_edit_in_its_clause(
    editions: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = editions
    markdown, page, redline = tmp_path / "d.md", tmp_path / "d.html", tmp_path / "redline.docx"
    argv = ["diff", str(old), str(new), "--json", "--markdown", str(markdown), "--html", str(page)]
    assert main([*argv, "--docx", str(redline)]) == 0
    diff = json.loads(capsys.readouterr().out)

    assert set(diff) == {"old", "new", "changes", "summary"}
    assert diff["old"]["path"] == str(old) and diff["new"]["rec_id"] == "ITU-T Y.9904"
    assert all(set(change) >= CHANGE_KEYS for change in diff["changes"])
    assert {(c["old_clause"], c["new_clause"]): c["kind"] for c in diff["changes"]} == EXPECTED
    by_clause = {c["clause"]: c for c in diff["changes"]}
    assert [(r["record"], r["key"], r["kind"]) for r in by_clause["3.2"]["records"]] == [
        ("definition", "manufacturer code", "removed")
    ]
    [days] = by_clause["A.1"]["paragraphs"]
    assert [(w["old"], w["new"]) for w in days["words"]] == [("30", "20")]
    assert SCRIPT_TEXT in by_clause["6"]["new_text"]  # document text, kept as it is
    assert diff["summary"]["by_kind"] == {"changed": 3, "added": 1, "renumbered": 1, "removed": 1}

    assert "## 7 → 8 Retirement of widget identifiers — renumbered" in markdown.read_text(encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(&#x27;list&#x27;)&lt;/script&gt;" in html
    assert "<del>30</del><ins>20</ins>" in html

    accepted, rejected = (docx.Document(str(redline)).element.body for _ in range(2))
    assert accepted.xpath(".//w:ins[@w:author='Rapporteur']") and accepted.xpath(".//w:del[@w:date]")
    accept_all(accepted)
    reject_all(rejected)
    assert _texts(accepted) == [text for _, text in revised_y9904()]
    assert _texts(rejected) == [text for _, text in [*Y9904, *Y9904_WITHDRAWAL]]


def test_draft_amendment_says_replace_add_renumber_and_delete_per_clause(
    editions: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = editions
    word = tmp_path / "amendment.docx"
    argv = ["draft", "amendment", "--from", str(old), "--to", str(new), "--json", "--docx", str(word)]
    assert main(argv) == 0
    amendment = json.loads(capsys.readouterr().out)
    assert set(amendment) == {"kind", "from", "to", "text"} and amendment["kind"] == "amendment"
    lines = amendment["text"].splitlines()
    assert lines[0] == "Recommendation ITU-T Y.9904 – Amendment <n>"
    instructions = [line for line in lines if line.endswith((":", ".")) and line[:1].isupper()]
    for expected in (
        "Replace clause 3.2 with:",
        "Replace clause 6 with:",
        "Add the following new clause after clause 6:",
        "Renumber clause 7 as clause 8.",
        "Replace clause A.1 with:",
        "Delete clause A.2.",
    ):
        assert expected in instructions, f"{expected!r} not in {instructions}"
    added = lines.index("Add the following new clause after clause 6:")
    assert lines[added + 1 : added + 3] == [text for _, text in Y9904_WRITING]  # the clause itself
    replaced = lines.index("Replace clause A.1 with:")
    assert "within 20 days" in lines[replaced + 2]
    assert not any("Scope" in line for line in lines)  # clause 1 untouched
    assert "within 20 days" in "\n".join(p.text for p in docx.Document(str(word)).paragraphs)


def test_diff_of_a_missing_file_is_one_line_naming_it(
    editions: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "Y.9904-typo.docx"
    assert main(["diff", str(editions[0]), str(missing), "--index", str(tmp_path / "none")]) == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    reason = "no such file, and no index to look the Recommendation up in"
    assert err.splitlines() == [f"rapporteur: {missing}: {reason}"]


def test_diff_json_on_the_published_p_imp863_editions(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = corpus_dir / "asciidoc/T-REC-P.Imp863-201805-I.adoc"
    new = corpus_dir / "asciidoc/T-REC-P.Imp863-201912-I.adoc"
    assert main(["diff", str(old), str(new), "--json", "--html", str(tmp_path / "d.html")]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert set(diff) == {"old", "new", "changes", "summary"}
    assert all(set(change) >= CHANGE_KEYS for change in diff["changes"])
    kinds = {(c["old_clause"], c["new_clause"]): c["kind"] for c in diff["changes"]}
    assert kinds[("6.7", "6.2")] == "renumbered" and kinds[("6.2", None)] == "removed"
    assert ("5", "5") not in kinds  # Nomenclature is the same in both
    assert diff["summary"]["unchanged"] >= 1
    assert "6.7 → 6.2" in (tmp_path / "d.html").read_text(encoding="utf-8")
