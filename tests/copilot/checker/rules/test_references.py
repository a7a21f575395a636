"""Seeded defects of this rule family (eval/checking/defects.json) in real Recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.checker.draft import Draft, load_draft
from copilot.checker.rules.base import CheckContext
from copilot.checker.rules.references import Unlisted
from eval.checking.inject import Defect
from tests.copilot.checker.seeded import CheckFn, assert_defect_found, defects_of
from tests.synthetic import write_docx


@pytest.mark.parametrize("defect", defects_of("references"), ids=lambda d: f"{d.id}-{d.rule}")
def test_seeded_defect_is_reported_and_original_is_clean(
    defect: Defect, corpus_dir: Path, tmp_path: Path, check: CheckFn
) -> None:
    assert_defect_found(defect, corpus_dir, tmp_path, check)


def _draft(tmp_path: Path, cited: str, bibliography: list[str]) -> Draft:
    """A small Recommendation whose clause 6 cites ``cited`` and whose Bibliography lists the tags."""
    paragraphs = [
        ("Heading 1", "1\tScope"),
        ("Normal", "This Recommendation specifies a widget catalogue."),
        ("Heading 1", "2\tReferences"),
        ("Normal", "None."),
        ("Heading 1", "6\tWidget records"),
        ("Normal", f"A widget record carries the fields of {cited}."),
        ("Heading 1", "Bibliography"),
        *[("Normal", f"[{tag}]\tRecommendation {tag[2:]} (2019), Widget transport.") for tag in bibliography],
    ]
    return load_draft(write_docx(paragraphs, tmp_path / "draft.docx"))


def test_a_bracket_naming_two_listed_tags_is_two_listed_citations(tmp_path: Path) -> None:
    draft = _draft(tmp_path, "[b-ITU-T J.89, b-ITU-T J.187]", ["b-ITU-T J.89", "b-ITU-T J.187"])
    assert Unlisted().run(draft, CheckContext()) == []


def test_a_citation_listed_under_another_spelling_of_its_tag_is_corrected_not_added(tmp_path: Path) -> None:
    draft = _draft(tmp_path, "[ITU-T J.94] and [b-ITU-T J.95]", ["b-ITU-T J.94"])
    found = {f.message: f.suggestion for f in Unlisted().run(draft, CheckContext())}
    assert found == {
        "[ITU-T J.94] is cited but not listed in clause 2.": (
            "Cite it as [b-ITU-T J.94], the tag its entry has."
        ),
        "[b-ITU-T J.95] is cited but not listed in the Bibliography.": (
            "Add [b-ITU-T J.95] to the Bibliography, or correct the citation."
        ),
    }
