"""Retrieval, checking and the assistant's plumbing on the synthetic ITU-style library (tests/data/synthetic):
meaningful without ../shared; the tiny packaged model is used where it is installed (marked ``model``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.assistant import NO_ANSWER, Answer, Assistant
from copilot.checker import check_document
from copilot.checker.models import Severity
from copilot.llm import OpenAIChat
from copilot.retrieval import HybridRetriever
from ingest.library import Library
from rapporteur.settings import Settings

Y9901 = "Y.9901-202403.md"


@pytest.fixture(scope="module")
def library(synthetic_library: Settings) -> Iterator[Library]:
    opened = Library(synthetic_library)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def retriever(library: Library) -> HybridRetriever:
    return HybridRetriever(library)


@pytest.mark.parametrize(
    ("question", "rec_id", "clause"),
    [
        ("What is a widget hub?", "ITU-T Y.9901", "3.2.2"),
        ("Which manufacturer code is reserved for test widgets?", "ITU-T Y.9901", "A.2"),
        ("For how many days is a telemetry collector required to store records?", "ITU-T Y.9902", "7"),
        ("What happens to a widget identifier when its widget is scrapped?", "ITU-T Y.9904", "7"),
        ("When is a widget hub required to enter deep sleep?", "ITU-T Y.9905", "7"),
        ("Which detector does the spectrum analyser use?", "ITU-R SM.9903-1", "Annex 1 § 2"),
        # what a text not named covers: its Scope, though Annex A is the clause on the words
        ("What does the Recommendation on registration authority procedures cover?", "ITU-T Y.9904", "1"),
    ],
)
def test_a_question_lands_on_the_clause_that_answers_it(
    retriever: HybridRetriever, question: str, rec_id: str, clause: str
) -> None:
    """Among the first three hits: the definition of a term the question names may rank above it."""
    assert (rec_id, clause) in [(hit.rec_id, hit.clause) for hit in retriever.search(question, k=3)]


@pytest.mark.parametrize(
    "question",
    ["What is the acronym for manufacturer code?", "Which abbreviation stands for Registration Authority?"],
)
def test_an_acronym_asked_for_by_its_expansion_lands_on_the_abbreviations_list(
    retriever: HybridRetriever, question: str
) -> None:
    """The list that gives the acronym, not the definition of the words written out."""
    first = retriever.search(question, k=1)[0]
    assert (first.rec_id, first.clause) == ("ITU-T Y.9904", "4")


def test_filters_narrow_the_library(retriever: HybridRetriever) -> None:
    hits = retriever.search("widget", k=5, filters={"sector": "ITU-R"})
    assert hits and {h.rec_id for h in hits} == {"ITU-R SM.9903-1"}
    named = retriever.search("sleep states", k=5, filters={"rec_id": "ITU-T Y.9905"})
    assert named and {h.rec_id for h in named} == {"ITU-T Y.9905"}


def test_the_clean_recommendation_has_no_finding_to_report(synthetic_corpus: Path, library: Library) -> None:
    report = check_document(synthetic_corpus / Y9901, library.settings, library)
    # Every rule ran, the consistency judge included (it compared what Y.9901 restates), and found nothing.
    assert report.findings == []
    assert any(n.startswith("consistency:") and "0 contradicted" in n for n in report.summary.notes)


def test_seeded_defects_in_a_copy_are_found_where_they_are(
    synthetic_corpus: Path, library: Library, tmp_path: Path
) -> None:
    text = (synthetic_corpus / Y9901).read_text(encoding="utf-8")
    seeds = [
        ("3.2.3 widget controller:", "3.2.3 widget hub: A node again.\n\n3.2.4 widget controller:"),
        (
            "[ITU-T Y.9904] Recommendation ITU-T Y.9904 (2022), Management of widget identifiers.",
            "[ITU-T Y.9904] Recommendation ITU-T Y.9904 (2022), Management of widget identifiers.\n\n"
            "[ITU-T Y.9999] Recommendation ITU-T Y.9999 (2024), Widgets on the Moon.",
        ),
        (
            "6.3 A WH is recommended",
            "6.3 A WH is required to log reboots [ITU-T Y.9907].\n\n6.4 A WH is recommended",
        ),
        ("Recommendation ITU-T Y.9902 (2023)", "Recommendation ITU-T Y.9902 (2019)"),
    ]
    for old, new in seeds:
        assert text.count(old) == 1
        text = text.replace(old, new)
    draft = tmp_path / "draft-Y.9901-rev.md"
    draft.write_text(text, encoding="utf-8")
    findings = check_document(draft, library.settings, library).findings
    found = {(f.rule, f.severity, f.location.clause) for f in findings}
    assert found >= {
        ("definitions.duplicate", Severity.ERROR, "3.2"),
        ("references.unknown", Severity.ERROR, "2"),
        ("references.unlisted", Severity.ERROR, "6"),
        ("references.edition", Severity.WARNING, "2"),
    }
    edition = next(f for f in findings if f.rule == "references.edition")
    assert "ITU-T Y.9902 (11/2023)" in edition.message


def _events(assistant: Assistant, question: str) -> tuple[list[str], Answer]:
    events = list(assistant.ask_stream(question))
    answer = events[-1]
    assert isinstance(answer, Answer)
    return [e for e in events[:-1] if isinstance(e, str)], answer


def test_without_a_model_the_answer_quotes_and_cites_the_defining_clause(
    retriever: HybridRetriever, library: Library
) -> None:
    pieces, answer = _events(
        Assistant(retriever, None, library.settings, "No model here."), "What is a widget hub?"
    )
    assert answer.model is None and answer.notice == "No model here."
    assert (answer.citations[0].rec_id, answer.citations[0].clause) == ("ITU-T Y.9901", "3.2.2")
    assert (
        "- [ITU-T Y.9901] clause 3.2.2: 3.2.2 widget hub: A node that connects up to 256 widgets"
        in answer.answer
    )
    assert "".join(pieces) == answer.answer


def test_an_off_topic_question_gets_no_answer_and_no_sources(
    retriever: HybridRetriever, library: Library
) -> None:
    _, answer = _events(
        Assistant(retriever, None, library.settings), "What is the boiling point of lava on Mars?"
    )
    assert (answer.answer, answer.citations, answer.sources) == (NO_ANSWER, [], [])


def test_similarity_says_which_clause_means_what_a_text_says(retriever: HybridRetriever) -> None:
    hits = retriever.search("What does a hub do when the uplink is down?", k=6)
    assert hits[0].clause == "6.2"  # buffers at least 10 000 readings while its uplink is down
    same = retriever.similarity("A widget hub stores thousands of readings when its uplink fails.", hits)
    unrelated = retriever.similarity("Who painted the Mona Lisa?", hits)
    assert len(same) == len(unrelated) == len(hits)
    assert max(same) == same[0] > 0.6
    assert max(unrelated) < 0.2
    assert retriever.similarity("anything", []) == []


def test_a_question_in_other_words_is_answered_by_the_clause_close_in_meaning(
    retriever: HybridRetriever, library: Library
) -> None:
    """The question shares few words with Appendix I ("Example deployment": a greenhouse with widget hubs
    and soil humidity widgets): the share of words alone refused it."""
    question = "Give an example of where widgets are deployed"
    by_meaning = Assistant(retriever, None, library.settings).relevant_sources(question)
    words_only = library.settings.updated(answer={"meaning_floor": 1.0})
    assert [s.citation.clause for s in by_meaning][:1] == ["Appendix I"]
    assert Assistant(retriever, None, words_only).relevant_sources(question) == []


def test_a_question_of_few_words_is_judged_by_its_words_alone(
    retriever: HybridRetriever, library: Library
) -> None:
    """The follow-up "What about its abbreviations?" asked alone is near every abbreviations clause in
    meaning, whichever Recommendation it belongs to; without a conversation to say whose, it names
    nothing to answer."""
    assistant = Assistant(retriever, None, library.settings)
    assert assistant.relevant_sources("What about its abbreviations?") == []


CITATION = re.compile(r"\[ITU-[TR] [^\]]+\](?: clause [\w.§ ]+)?")


def test_the_model_streams_an_answer_citing_only_retrieved_clauses(
    retriever: HybridRetriever, library: Library, tiny_model: OpenAIChat
) -> None:
    settings = library.settings.updated(llm={"max_tokens": 64, "temperature": 0.0})
    pieces, answer = _events(Assistant(retriever, tiny_model, settings), "What is a widget hub?")
    assert len(pieces) > 1 and answer.model == "smollm2-135m"
    assert (answer.sources[0].rec_id, answer.sources[0].clause) == ("ITU-T Y.9901", "3.2.2")
    rendered = {c.render() for c in answer.sources}
    assert {c.render() for c in answer.citations} <= rendered
    cited_documents = {f"[{c.rec_id}]" for c in answer.sources}
    assert all(found.split("]")[0] + "]" in cited_documents for found in CITATION.findall(answer.answer))
