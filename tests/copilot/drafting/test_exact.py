"""The exact parts of a draft come verbatim from the library, with their sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.citation import Citation
from copilot.drafting.exact import ExactPieces, spelled_out
from ingest.catalog import ReferenceCatalog
from ingest.models import Clause, Definition, DocKind, DocumentMeta, Records, Reference
from ingest.store import RecordStore
from rapporteur.settings import Settings

TOPIC = "Functional requirements of physical machines for cloud computing"


@pytest.fixture
def store(copilot_index: Settings) -> Iterator[RecordStore]:
    store = RecordStore(copilot_index.index / "records.sqlite3")
    yield store
    store.close()


def test_topic_terms_reuse_existing_definitions_with_their_source_tags(store: RecordStore) -> None:
    terms = {t.term: t for t in ExactPieces(store, None).reused_definitions(TOPIC, [])}
    machine, cloud = terms["physical machine"], terms["cloud computing"]
    assert (machine.source, machine.definition) == (
        "ITU-T Y.3507",
        "A type of computing machine providing physical resources.\nNOTE – A computing machine provides "
        "allocation and scheduling of processing resources. Types of computing machine are physical or "
        "virtual [ITU-T Y.3510].",
    )
    assert cloud.source == "ITU-T Y.3500" and cloud.definition.startswith(
        "Paradigm for enabling network access"
    )
    assert cloud.citation.render() == "[ITU-T Y.3507] clause 3.1.1"
    lines = ExactPieces(store, None).defined_elsewhere([machine, cloud]).lines
    assert lines[0].startswith("3.1.1\tphysical machine [ITU-T Y.3507]: A type of computing machine")
    assert lines[1].startswith("3.1.2\tcloud computing [ITU-T Y.3500]: Paradigm")


def test_a_held_out_recommendation_lends_nothing(store: RecordStore) -> None:
    terms = ExactPieces(store, None, exclude_rec_id="ITU-T Y.3507").reused_definitions(TOPIC, [])
    assert all(t.citation.rec_id != "ITU-T Y.3507" for t in terms)
    assert "physical machine" not in {t.term for t in terms}


def test_reference_entries_use_the_catalog_identifier_edition_and_title(
    store: RecordStore, reference_catalog: ReferenceCatalog
) -> None:
    piece = ExactPieces(store, reference_catalog).references(["ITU-T Y.3500", "ITU-T Y.3507", "ITU-T Q.9999"])
    assert piece.lines[0] == (
        "[ITU-T Y.3500]\tRecommendation ITU-T Y.3500 (2014), "
        "Information technology – Cloud computing – Overview and vocabulary."
    )
    assert piece.lines[1].startswith("[ITU-T Y.3507]\tRecommendation ITU-T Y.3507 (2018), Cloud computing")
    assert piece.lines[2] == "[ITU-T Q.9999]\tRecommendation ITU-T Q.9999 (<date>), <title>."
    assert piece.notices == ["ITU-T Q.9999: not in the catalog or the library; complete its entry"]


def test_abbreviations_are_collected_from_the_text_and_expanded_from_the_corpus(store: RecordStore) -> None:
    piece = ExactPieces(store, None).abbreviations(
        "The cloud service CSPs run IPMI on each CPU0; QZXW is new."
    )
    assert piece.lines == [
        "CSP\tCloud Service Provider",
        "IPMI\tIntelligent Platform Management Interface",
        "QZXW\t<expansion>",
    ]
    assert piece.notices == ["QZXW: no expansion in the library; write it out"]
    assert {c.rec_id for c in piece.citations} == {"ITU-T Y.3507"}


def test_conventions_quote_the_requirement_keywords_of_the_series(store: RecordStore) -> None:
    exact = ExactPieces(store, None)
    piece = exact.conventions("ITU-T Y.3599")
    assert piece.lines[0].startswith(
        'The keywords "is required to" indicate a requirement which must be strictly'
    )
    assert piece.citations[0].clause == "5"
    assert {"is required to", "is recommended", "can optionally"} <= set(exact.keywords("ITU-T Y.3599"))


def test_the_references_introduction_is_the_standard_paragraph(store: RecordStore) -> None:
    piece = ExactPieces(store, None).references_intro()
    assert piece.lines[0].startswith(
        "The following ITU-T Recommendations and other references contain provisions"
    )
    assert piece.citations[0].clause == "2"


def test_a_lone_word_is_reused_only_from_a_document_retrieved_for_the_topic(tmp_path: Path) -> None:
    """ "network" means an MPEG-2 multiplex in one vocabulary and an IP network in another: a one-word
    term is reused only when a document retrieved for the topic defines it; phrases are always reused."""
    store = RecordStore(tmp_path / "records.sqlite3")
    for doc_id, rec_id, term, text in [
        ("j.1.docx", "ITU-T J.1", "network", "A collection of MPEG-2 transport stream multiplexes."),
        ("f.1.docx", "ITU-T F.1", "navigation system", "A system that guides a person to a destination."),
    ]:
        meta = DocumentMeta(doc_id=doc_id, rec_id=rec_id, path=f"/docs/{doc_id}", content_hash=doc_id)
        store.mark_pending(meta.path, doc_id, doc_id, pipeline="test")
        definition = Definition(term=term, definition=text, clause="3.2.1", rec_id=rec_id, doc_id=doc_id)
        store.replace_document(meta, [Clause(number="3", heading="Definitions", level=1)], [],
                               Records(definitions=[definition]))  # fmt: skip
    topic = "Network navigation system for persons with vision impairment"
    pieces = ExactPieces(store, None)
    assert [t.term for t in pieces.reused_definitions(topic, [])] == ["navigation system"]
    hit = Citation(doc_id="j.1.docx", rec_id="ITU-T J.1", clause="3.2.1", text="network: ...")
    assert {t.term for t in pieces.reused_definitions(topic, [hit])} == {"navigation system", "network"}
    store.close()


def test_the_draft_s_own_spelling_of_an_acronym_wins(store: RecordStore) -> None:
    text = (
        "A Configurable Service Processor (CSP) manages each CPU through the Intelligent Platform "
        "Management Interface (IPMI); Business Support Systems (BSSs) and the input/output (I/O) paths "
        "are out of scope (see Figure 1)."
    )
    assert spelled_out(text) == {
        "CSP": "Configurable Service Processor",
        "IPMI": "Intelligent Platform Management Interface",
        "BSS": "Business Support Systems",
        "I/O": "input/output",
    }
    lines = ExactPieces(store, None).abbreviations(text).lines
    assert "CSP\tConfigurable Service Processor" in lines, "the library's Cloud Service Provider loses"
    assert "CPU\tCentral Processing Unit" in lines, "what the text does not spell comes from the library"


def _store_with(tmp_path: Path, documents: list[tuple[str, str, str, Records]]) -> RecordStore:
    store = RecordStore(tmp_path / "records.sqlite3")
    for doc_id, rec_id, title, records in documents:
        meta = DocumentMeta(
            doc_id=doc_id, rec_id=rec_id, title=title, path=f"/docs/{doc_id}", content_hash=doc_id,
            kind=DocKind.RECOMMENDATION,
        )  # fmt: skip
        store.mark_pending(meta.path, doc_id, doc_id, pipeline="test")
        store.replace_document(meta, [Clause(number="3", heading="Definitions", level=1)], [], records)
    return store


def _quoted(doc_id: str, rec_id: str, clause: str, term: str, tag: str) -> Definition:
    return Definition(
        term=term, definition=f"{term} as {tag} defines it", clause=clause, rec_id=rec_id, doc_id=doc_id,
        source_tag=f"[{tag}]", defined_here=False,
    )  # fmt: skip


def test_a_term_known_only_as_quoted_is_reused_with_the_tag_of_the_document_defining_it(
    tmp_path: Path,
) -> None:
    """X.9905 quotes "overlay network" from X.1162 and "managed P2P" from an ISO/IEC report: both are
    reusable with the defining document's tag, from a sibling Recommendation (retrieved for the topic,
    its title sharing a word with it) even when the topic does not name the term; X.9905's own terms
    are not quoted, so not borrowed."""
    store = _store_with(
        tmp_path,
        [
            ("x.9905.docx", "ITU-T X.9905", "Managed P2P: content delivery", Records(definitions=[
                _quoted("x.9905.docx", "ITU-T X.9905", "3.1.1", "overlay network", "b-ITU-T X.1162"),
                _quoted("x.9905.docx", "ITU-T X.9905", "3.1.2", "managed P2P", "b-ISO/IEC TR 20002"),
                Definition(term="tracker peer", definition="A peer that tracks.", clause="3.2.1",
                           rec_id="ITU-T X.9905", doc_id="x.9905.docx", defined_here=True),
            ])),
        ],
    )  # fmt: skip
    pieces = ExactPieces(store, None)
    hit = Citation(doc_id="x.9905.docx", rec_id="ITU-T X.9905", clause="6", text="Peers exchange fragments.")
    topic = "A protocol for content distribution"
    terms = {t.term: t.source for t in pieces.reused_definitions(topic, [hit])}
    assert terms == {"overlay network": "ITU-T X.1162", "managed P2P": "ISO/IEC TR 20002"}
    assert pieces.reused_definitions(topic, []) == [], "without the sibling retrieved, nothing is borrowed"
    unrelated = "A protocol for interactive games"
    assert pieces.reused_definitions(unrelated, [hit]) == [], "retrieved, but its title shares no word"
    held_out = ExactPieces(store, None, exclude_rec_id="ITU-T X.9905")
    assert held_out.reused_definitions("overlay network management", [hit]) == []
    store.close()


def test_other_bodies_standards_are_named_and_listed_from_indexed_reference_lists(tmp_path: Path) -> None:
    rfc = Reference(tag="[IETF RFC 5357]", cited_id="IETF RFC 5357", edition_year="2008",
                    title="A two-way active measurement protocol (TWAMP)", rec_id="ITU-T Y.9950",
                    doc_id="y.9950.docx")  # fmt: skip
    store = _store_with(
        tmp_path, [("y.9950.docx", "ITU-T Y.9950", "IP measurement", Records(references=[rfc]))]
    )
    pieces = ExactPieces(store, None)
    named = pieces.named_documents("Probes as in RFC 5357, parameters of Y.1540 and ISO/IEC 13818-1")
    assert named == ["IETF RFC 5357", "ITU-T Y.1540", "ISO/IEC 13818-1"]
    piece = pieces.references(["IETF RFC 5357", "IETF RFC 9999"])
    assert piece.lines == [
        "[IETF RFC 5357]\tIETF RFC 5357 (2008), A two-way active measurement protocol (TWAMP).",
        "[IETF RFC 9999]\tIETF RFC 9999 (<date>), <title>.",
    ]
    assert piece.citations[0].rec_id == "ITU-T Y.9950"
    assert piece.notices == ["IETF RFC 9999: not in any indexed reference list; complete its entry"]
    store.close()
