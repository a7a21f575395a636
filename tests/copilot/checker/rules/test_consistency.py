"""Consistency needs an indexed corpus: without one the rule is skipped with an info note, never silently."""

from __future__ import annotations

from pathlib import Path

from copilot.checker import check_document
from copilot.checker.models import Category, Severity
from rapporteur.settings import Settings

SAMPLE = Path(__file__).resolve().parents[4] / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"


def test_without_an_index_consistency_is_an_info_note(tmp_path: Path) -> None:
    report = check_document(SAMPLE, Settings(corpus=tmp_path, index=tmp_path / "index"))
    notes = [f for f in report.findings if f.category is Category.CONSISTENCY]
    assert len(notes) == 1
    assert notes[0].severity is Severity.INFO and "no indexed corpus" in notes[0].message
