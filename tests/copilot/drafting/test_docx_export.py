"""Drafts export to .docx with the ITU-T skeleton's paragraph styles."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from copilot.drafting.docx_export import export_docx

DRAFT = """Recommendation ITU-T Y.3599

Functional requirements of widgets

Summary

This Recommendation specifies widgets.

1\tScope

This Recommendation specifies widgets [ITU-T Y.3507] clause 1.

2\tReferences

[ITU-T Y.3500]\tRecommendation ITU-T Y.3500 (2014), Information technology – Cloud computing.

3\tDefinitions

3.1\tTerms defined elsewhere

3.1.1\tcloud computing [ITU-T Y.3500]: Paradigm for enabling network access.

4\tAbbreviations and acronyms

CSP\tCloud Service Provider
CPU\tCentral Processing Unit
"""


def _styles(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs if p.style is not None]


def test_each_line_takes_the_skeleton_style(tmp_path: Path) -> None:
    styles = _styles(export_docx(DRAFT, tmp_path / "draft.docx"))
    assert styles[:5] == [
        ("Rec_No", "Recommendation ITU-T Y.3599"),
        ("Rec_title", "Functional requirements of widgets"),
        ("Heading_b", "Summary"),
        ("Normal", "This Recommendation specifies widgets."),
        ("Heading 1", "1\tScope"),
    ]
    by_text = {text: style for style, text in styles}
    assert by_text["3.1\tTerms defined elsewhere"] == "Heading 2"
    assert (
        by_text[
            "[ITU-T Y.3500]\tRecommendation ITU-T Y.3500 (2014), Information technology – Cloud computing."
        ]
        == "Ref_text"
    )
    assert by_text["3.1.1\tcloud computing [ITU-T Y.3500]: Paradigm for enabling network access."] == "Normal"
    assert by_text["CSP\tCloud Service Provider"] == by_text["CPU\tCentral Processing Unit"] == "Normal"
    document = Document(str(tmp_path / "draft.docx"))
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Rec_title"].font.size.pt == 14


def test_the_official_skeleton_can_be_the_template(corpus_dir: Path, tmp_path: Path) -> None:
    skeleton = corpus_dir / "drafting-rules" / "ITUT-Recs-Skelet.docx"
    if not skeleton.is_file():
        pytest.skip(f"no ITU-T skeleton at {skeleton}")
    styles = _styles(export_docx(DRAFT, tmp_path / "draft.docx", template=skeleton))
    assert styles[0] == ("Rec_No", "Recommendation ITU-T Y.3599")
    assert not any("<Mandatory>" in text or "NOTE TO AUTHORS" in text for _, text in styles)
    assert len(styles) == len([line for line in DRAFT.splitlines() if line.strip()])
