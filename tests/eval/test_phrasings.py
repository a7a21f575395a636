"""The phrasings eval on the synthetic library: records are sampled and every phrasing is counted."""

from __future__ import annotations

import pytest

from copilot.retrieval import HybridRetriever
from eval.retrieval.phrasings import (
    ABBREVIATION_PHRASINGS,
    DEFINITION_PHRASINGS,
    RecordQuestion,
    measure,
    rank_of,
    sample_records,
    table,
)
from rapporteur.settings import Settings


@pytest.fixture(scope="module")
def retriever(synthetic_library: Settings) -> HybridRetriever:
    return HybridRetriever.from_settings(synthetic_library)


def test_every_phrasing_of_the_synthetic_records_lands_on_their_clause(retriever: HybridRetriever) -> None:
    definitions, abbreviations = sample_records(retriever, sample=100, seed=1)  # all of them
    assert len(definitions) >= 5
    assert {r.fill["acronym"] for r in abbreviations} >= {"MC", "RA"}
    for records, phrasings in ((definitions, DEFINITION_PHRASINGS), (abbreviations, ABBREVIATION_PHRASINGS)):
        results = measure(retriever, records, phrasings, "records")
        assert [r.phrasing for r in results] == list(phrasings)
        missed = [r.phrasing for r in results if r.top5 < r.asked]
        assert not missed, table(results)


def test_a_citation_of_the_clause_or_of_its_paragraph_counts(retriever: HybridRetriever) -> None:
    defined = RecordQuestion({"term": "widget hub"}, "ITU-T Y.9901", "3.2.2")
    assert rank_of(retriever, "What is a widget hub?", defined) == 1
    parent = RecordQuestion({"term": "widget hub"}, "ITU-T Y.9901", "3.2")
    assert rank_of(retriever, "What is a widget hub?", parent) == 1
    elsewhere = RecordQuestion({"term": "widget hub"}, "ITU-T Y.9902", "9")
    assert rank_of(retriever, "What is a widget hub?", elsewhere) is None
