"""The stages of a search taken one by one, on ranked lists built by hand."""

from __future__ import annotations

from copilot.query import ParsedQuery
from copilot.retrieval.clauses import Candidate, RankedList
from copilot.retrieval.stages import FrontMatterPrior


def _ranked() -> RankedList:
    """An ITU-R text without a Scope, represented by its "considering", just above another's clause."""
    return [
        (("ITU-R P.9838-3", "2005-03", "considering"), Candidate("p9838:00001", score=0.033)),
        (("ITU-R P.9530-19", "2025-09", "2.4"), Candidate("p9530:00020", score=0.032)),
    ]


def _order(question: str, wants_document: bool) -> list[str]:
    parsed = ParsedQuery(text=question, wants_document=wants_document)
    return [key[2] for key, _ in FrontMatterPrior(0.6).apply(_ranked(), parsed)]


def test_front_matter_is_demoted_for_a_question_about_content() -> None:
    assert _order("How is rain attenuation predicted on a link?", False) == ["2.4", "considering"]


def test_front_matter_stands_for_its_document_when_the_question_asks_which_document() -> None:
    assert _order("Which Recommendation gives the specific attenuation model for rain?", True) == [
        "considering",
        "2.4",
    ]


def test_front_matter_the_question_names_is_not_demoted() -> None:
    assert _order("What does the considering of the rain model say?", False) == ["considering", "2.4"]
