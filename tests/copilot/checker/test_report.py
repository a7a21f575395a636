"""Markdown and HTML reports of a real check."""

from __future__ import annotations

from pathlib import Path

from copilot.checker.models import CheckReport, CheckSummary
from copilot.checker.report import to_html, to_markdown, where
from eval.checking.inject import inject
from tests.copilot.checker.seeded import DEFECTS, CheckFn


def _report(corpus_dir: Path, tmp_path: Path, check: CheckFn) -> CheckReport:
    defect = next(d for d in DEFECTS if d.id == "r11")  # a changed title: evidence from the catalog
    path = inject(defect, corpus_dir / defect.doc, tmp_path / "draft.docx")
    findings = check(path)
    return CheckReport.build(str(path), findings, CheckSummary())


def test_markdown_lists_each_finding_with_fix_and_evidence(
    corpus_dir: Path, tmp_path: Path, check: CheckFn
) -> None:
    report = _report(corpus_dir, tmp_path, check)
    text = to_markdown(report)
    title = next(f for f in report.findings if f.rule == "references.title")
    assert f"`references.title` ({where(title.location)})" in text
    assert "fix: Use the published title: Cloud computing infrastructure requirements" in text
    assert "evidence: [ITU-T Y.3510]" in text
    assert text.count("\n- **") == report.summary.findings


def test_html_escapes_text_and_has_one_row_per_finding(
    corpus_dir: Path, tmp_path: Path, check: CheckFn
) -> None:
    report = _report(corpus_dir, tmp_path, check)
    page = to_html(report)
    assert page.count("<tr><td>") == report.summary.findings
    assert "Cloud infrastructure needs for computing" in page
    assert "<b-" not in page and "&lt;TAB&gt;" in page  # "Add 'X<TAB>...'" suggestions are escaped
