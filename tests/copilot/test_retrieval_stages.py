"""The stages of a search taken one by one, on ranked lists built by hand."""

from __future__ import annotations

import pytest

from copilot.query import ParsedQuery, parse_query
from copilot.retrieval import HybridRetriever
from copilot.retrieval.clauses import Candidate, ClauseLocator, RankedList
from copilot.retrieval.signals import RecordSignals, find_signals
from copilot.retrieval.stages import (
    DocumentVote,
    FrontMatterPrior,
    GlossaryPrior,
    HeadingPrior,
    SearchRequest,
)
from rapporteur.settings import Settings


def _ranked() -> RankedList:
    """An ITU-R text without a Scope, represented by its "considering", just above another's clause."""
    return [
        (("ITU-R P.9838-3", "2005-03", "considering"), Candidate("p9838:00001", score=0.033)),
        (("ITU-R P.9530-19", "2025-09", "2.4"), Candidate("p9530:00020", score=0.032)),
    ]


def _request(retriever: HybridRetriever, parsed: ParsedQuery) -> SearchRequest:
    locate = ClauseLocator(retriever.store, retriever.refresh())
    return SearchRequest(parsed, parsed.text, None, set(), RecordSignals(), locate)


@pytest.fixture
def retriever(synthetic_library: Settings) -> HybridRetriever:
    return HybridRetriever.from_settings(synthetic_library)


def _order(retriever: HybridRetriever, question: str, wants_document: bool) -> list[str]:
    request = _request(retriever, ParsedQuery(text=question, wants_document=wants_document))
    return [key[2] for key, _ in FrontMatterPrior(0.6).apply(_ranked(), request)]


def test_front_matter_is_demoted_for_a_question_about_content(retriever: HybridRetriever) -> None:
    assert _order(retriever, "How is rain attenuation predicted on a link?", False) == ["2.4", "considering"]


def test_front_matter_stands_for_its_document_when_the_question_asks_which_document(
    retriever: HybridRetriever,
) -> None:
    question = "Which Recommendation gives the specific attenuation model for rain?"
    assert _order(retriever, question, True) == ["considering", "2.4"]


def test_front_matter_the_question_names_is_not_demoted(retriever: HybridRetriever) -> None:
    question = "What does the considering of the rain model say?"
    assert _order(retriever, question, False) == ["considering", "2.4"]


def test_lists_of_terms_and_abbreviations_give_way_unless_a_term_is_asked(retriever: HybridRetriever) -> None:
    """The abbreviations clause just above the clause on allocation: it stays above only when the
    question asks what an acronym stands for."""
    ranked = _clauses_of(retriever, "ITU-T Y.9904", ["4", "3.2", "6"])
    assert [c.chunk_id in retriever.refresh().glossary for _, c in ranked] == [True, True, False]
    for (_, candidate), score in zip(ranked, (0.033, 0.032, 0.031), strict=True):
        candidate.score = score

    def order(question: str) -> list[str]:
        request = _request(retriever, parse_query(question))
        return [key[2] for key, _ in GlossaryPrior(0.6).apply(ranked, request)]

    assert order("how are MC allocated by the RA?") == ["6", "4", "3.2"]
    assert order("What does MC stand for?") == ["4", "3.2", "6"]
    assert order("define manufacturer code") == ["4", "3.2", "6"]


def _clauses_of(retriever: HybridRetriever, rec_id: str, clauses: list[str]) -> RankedList:
    """The first chunk of each clause of a synthetic Recommendation, in the order given."""
    snap = retriever.refresh()
    lex = snap.lexical
    doc_id = next(d.doc_id for d in snap.documents.values() if d.rec_id == rec_id)
    first: dict[str, str] = {}
    for i in lex.positions_of(doc_id):
        first.setdefault(lex.clauses[i], lex.chunk_ids[i])
    return [((rec_id, "", c), Candidate(first[c], c)) for c in clauses]


def test_a_clause_whose_heading_the_question_fills_moves_up(retriever: HybridRetriever) -> None:
    """Clause 6 "Allocation of manufacturer codes" just below clause 7: the question's words fill its
    heading, so it moves above, unless the question asks which document (its Scope answers then)."""
    ranked = _clauses_of(retriever, "ITU-T Y.9904", ["7", "6"])
    for (_, candidate), score in zip(ranked, (0.033, 0.032), strict=True):
        candidate.score = score

    def order(question: str) -> list[str]:
        parsed = parse_query(question, retriever.store)
        request = _request(retriever, parsed)
        request.signals = find_signals(parsed, retriever.refresh(), retriever.store)
        return [key[2] for key, _ in HeadingPrior(0.15).apply(ranked, request)]

    assert order("how does the authority handle allocation of manufacturer codes?") == ["6", "7"]
    assert order("which Recommendation covers allocation of manufacturer codes?") == ["7", "6"]


def test_the_documents_filling_the_text_lists_are_voted_for_by_their_scope(
    retriever: HybridRetriever,
) -> None:
    y9904 = _clauses_of(retriever, "ITU-T Y.9904", ["Annex A", "6", "7"])
    sm9903 = _clauses_of(retriever, "ITU-R SM.9903-1", ["Annex 1 § 1"])
    lists = [
        ("lexical", [*sm9903, *y9904]),  # one strong clause against three
        ("dense", [y9904[0], *sm9903, *y9904[1:]]),
        ("titles", sm9903),  # not a text list: no vote
    ]

    def voted(parsed: ParsedQuery) -> list[tuple[str, str]]:
        request = _request(retriever, parsed)
        return [(key[0], key[2]) for key, _ in DocumentVote(rrf_k=60).produce(request, lists)]

    question = "Which Recommendation tells a manufacturer how to apply to the registration authority?"
    assert voted(ParsedQuery(text=question, wants_document=True)) == [
        ("ITU-T Y.9904", "1"),
        ("ITU-R SM.9903-1", "Scope"),
    ]
    cites = "Which documents does the widget identifier Recommendation reference?"
    assert voted(ParsedQuery(text=cites, wants_document=True, asks_references=True))[0] == (
        "ITU-T Y.9904",
        "2",
    )


def test_the_words_asking_for_an_expansion_need_no_record_to_explain_them(retriever: HybridRetriever) -> None:
    """The words "full form" ask as "stand for" does: left to explain, they kept J.1's abbreviations
    list from being pinned for "What is the full form of PID?" (a definition in H.222.0 came first)."""
    snap, store = retriever.refresh(), retriever.store
    asked = ("What is the full form of MC?", "What is the long form of MC?", "What does MC stand for?")
    for question in asked:
        signals = find_signals(parse_query(question, store), snap, store)
        assert signals.content == {"mc"}, question
