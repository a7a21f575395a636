"""The parsed draft: positions, pages, front matter, back cover, and where the skeleton applies."""

from __future__ import annotations

from pathlib import Path

from copilot.checker.draft import load_draft
from ingest.parsers import parse_file


def test_paragraphs_carry_clause_index_and_page(corpus_dir: Path) -> None:
    draft = load_draft(corpus_dir / "itu-t" / "Y.3507-201812.docx")
    entry = next(p for p in draft.paragraphs if "physical machine: A type of computing machine" in p.text)
    assert (entry.clause, entry.index) == ("3.2", 2)
    blocks = parse_file(corpus_dir / "itu-t" / "Y.3507-201812.docx").blocks
    assert entry.page is not None and entry.page == next(
        b.page for b in blocks if b.text.strip() == entry.text
    )
    assert draft.front["Keywords"].text.startswith("Cloud computing")
    assert draft.front["Summary"].text
    assert not any(p.text.startswith("SERIES OF ITU-T RECOMMENDATIONS") for p in draft.paragraphs)
    assert draft.skeleton_exemption is None


def test_skeleton_does_not_apply_to_corrigenda_or_common_texts(corpus_dir: Path) -> None:
    corrigendum = load_draft(corpus_dir / "itu-t" / "T-REC-O.174-201202-I!Cor2!MSW-E.docx")
    assert corrigendum.skeleton_exemption and "Corrigendum" in corrigendum.skeleton_exemption
    for name in ("T-REC-X.500-201610-I!!MSW-E.docx", "T-REC-H.222.0-201808-P!!MSW-E.docx", "itu-t81.pdf"):
        common = load_draft(corpus_dir / "itu-t" / name)
        assert common.skeleton_exemption and "A.23" in common.skeleton_exemption, name
    own = load_draft(corpus_dir / "itu-t" / "T-REC-Y.1543-201806-I!!MSW-E.docx")
    assert own.skeleton_exemption is None
