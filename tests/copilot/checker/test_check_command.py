"""``rapporteur check``: the JSON contract, the reports it writes and its exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rapporteur.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, main

SAMPLE = Path(__file__).resolve().parents[3] / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"


def test_json_contract_on_a_clean_markdown_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORTEUR_CORPUS", str(tmp_path))  # no catalog: those rules say so
    status = main(
        [
            "check",
            str(SAMPLE),
            "--index",
            str(tmp_path / "index"),
            "--json",
            "--html",
            str(tmp_path / "r.html"),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == EXIT_OK
    assert set(data) == {"file", "findings", "summary"}
    assert data["summary"]["by_severity"]["error"] == 0
    for finding in data["findings"]:
        assert set(finding) == {
            "rule",
            "category",
            "severity",
            "location",
            "message",
            "evidence",
            "suggestion",
        }
        assert set(finding["location"]) == {"clause", "paragraph", "page"}
    assert {f["rule"] for f in data["findings"] if f["severity"] == "info"} >= {"consistency.contradiction"}
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")


def test_errors_give_exit_status_2_and_a_commented_docx(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = corpus_dir / "itu-t" / "Y.3507-201812.docx"  # cites bibliography tags it does not list
    out = tmp_path / "commented.docx"
    status = main(["check", str(draft), "--index", str(tmp_path / "index"), "--docx", str(out)])
    assert status == EXIT_PARTIAL
    assert "references.unlisted" in capsys.readouterr().out
    assert out.stat().st_size > 0


def test_an_uploaded_copy_of_an_indexed_draft_is_not_compared_with_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft without a Rec identifier is its own document by content: a copy under another name (an
    upload) must not be told that its terms are "already defined" by the indexed original."""
    index = str(tmp_path / "index")
    assert main(["ingest", str(SAMPLE), "--index", index]) == EXIT_OK
    upload = tmp_path / "upload" / "my-draft.md"
    upload.parent.mkdir()
    upload.write_bytes(SAMPLE.read_bytes())
    capsys.readouterr()
    main(["check", str(upload), "--index", index, "--json"])
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "definitions.already-defined" not in rules

    upload.write_text(SAMPLE.read_text(encoding="utf-8") + "\nA new closing sentence.\n", encoding="utf-8")
    main(["check", str(upload), "--index", index, "--json"])
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "definitions.already-defined" in rules, "the rule still compares with documents of other content"


def test_fix_writes_a_tracked_changes_copy_and_refuses_what_is_not_word(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import docx

    draft = corpus_dir / "itu-t" / "Y.3507-201812.docx"
    out = tmp_path / "fixed.docx"
    main(["check", str(draft), "--index", str(tmp_path / "index"), "--fix", str(out)])
    err = capsys.readouterr().err
    assert f"{out}: " in err and "fixes as tracked changes" in err
    document = docx.Document(str(out))
    assert len(document.comments) > 0  # without a library, the findings still arrive as comments
    status = main(["check", str(SAMPLE), "--index", str(tmp_path / "index"), "--fix", str(out)])
    assert status == EXIT_ERROR and "--fix need a .docx draft" in capsys.readouterr().err
