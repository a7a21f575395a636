"""Query understanding: identifiers, clause references, definition terms, acronyms, document questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.query import (
    acronyms,
    definition_term,
    expand_acronyms,
    expansion_text,
    parse_query,
    written_out,
)
from ingest.models import Abbreviation, Clause, DocumentMeta, Records
from ingest.store import RecordStore


@pytest.mark.parametrize(
    ("text", "rec_ids", "clauses"),
    [
        ("Y.3507 clause 7.2", ["ITU-T Y.3507"], ["7.2"]),
        ("what does [ITU-T Y.3100] say", ["ITU-T Y.3100"], []),
        ("P.452-18 §4", ["ITU-R P.452-18"], ["4"]),
        ("Annex A of G.698.2", ["ITU-T G.698.2"], ["Annex A"]),
        ("Rec. ITU-T Y.3507 appendix ii", ["ITU-T Y.3507"], ["Appendix II"]),
        ("see Y.1543 6.3 please", ["ITU-T Y.1543"], ["6.3"]),
        ("packet loss in IMT-2020 networks", [], []),
    ],
)
def test_identifiers_and_clause_references(text: str, rec_ids: list[str], clauses: list[str]) -> None:
    parsed = parse_query(text)
    assert parsed.rec_ids == rec_ids
    assert parsed.clauses == clauses


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("What is a physical machine?", "physical machine"),
        ("where is 'cloud service customer' defined?", "cloud service customer"),
        ("define live fibre detection", "live fibre detection"),
        ("definition of aggregate loss ratio in Y.1543", "aggregate loss ratio"),
        ("how do I measure packet loss", None),
        ("In ITU-T L.314, what is FTTx?", "FTTx"),
        ("explain the term Recommendation as used in WTSA Resolution 1", "Recommendation"),
        ("In summary, packet loss", None),
        ("What do proportional directions mean?", "proportional directions"),
    ],
)
def test_definition_terms(text: str, term: str | None) -> None:
    assert definition_term(text) == term


@pytest.mark.parametrize(
    ("text", "asks_record"),
    [
        ("What is a physical machine?", True),
        ("What does DGD stand for?", True),
        ("What is an audio alert in audio-based network navigation?", True),
        ("What is the diameter of the modal field?", True),
        ("which term names the equipment under test?", True),
        ("maximum differential group delay DGD between SS and RS", False),
        ("In the modem, what is the spacing between adjacent subchannel carrier frequencies?", False),
    ],
)
def test_questions_asking_for_a_term_or_an_acronym(text: str, asks_record: bool) -> None:
    assert parse_query(text).asks_record is asks_record


def test_acronyms_and_document_questions() -> None:
    assert acronyms("What does IPMI stand for in ITU-T Y.3507, and what are CSCs?") == ["IPMI", "CSCs"]
    assert acronyms("eMBB and mMTC usage scenarios over iSCSI, not iPhones") == ["eMBB", "mMTC", "iSCSI"]
    assert acronyms("S-CDMA and M-CMTS in E-UTRA, not X-rays or G.711") == ["S-CDMA", "M-CMTS", "E-UTRA"]
    assert parse_query("What does TWAMP stand for?").abbreviation == "TWAMP"
    assert parse_query("What is a BCP?").abbreviation == "BCP"
    assert parse_query("packet loss of TWAMP probes").abbreviation is None
    for asked in ("What is TWAMP's abbreviation?", "the full form of TWAMP", "What is the acronym TWAMP?"):
        parsed = parse_query(asked)
        assert (parsed.abbreviation, parsed.term, parsed.asks_expansion) == ("TWAMP", "TWAMP", True), asked
    for asked in ("Which acronym stands for Manufacturer Code?", "the short form of manufacturer code"):
        parsed = parse_query(asked)
        assert parsed.abbreviation is None and parsed.asks_expansion, asked
        assert (parsed.term or "").lower() == "manufacturer code", asked
    assert parse_query("which Recommendation covers IMT frequency arrangements?").wants_document
    assert not parse_query("frequency arrangements for IMT").wants_document


@pytest.mark.parametrize(
    "text",
    [
        "Is there an ITU text with duplex channel plans for the IMT bands?",
        "Is there ITU-T guidance on collaborating with another standards body?",
        "Where can I find ITU's vision of 5G usage scenarios?",
        "I need guidance on identifying a live fibre without disturbing traffic.",
    ],
)
def test_a_need_for_a_text_in_users_words_asks_for_a_document(text: str) -> None:
    assert parse_query(text).wants_document


def test_asking_how_something_is_done_is_not_asking_for_a_document() -> None:
    assert not parse_query("Is there a limit on the number of cause values?").wants_document
    assert not parse_query("Where does the release message carry the cause value?").wants_document


@pytest.mark.parametrize(
    ("text", "acronym", "written"),
    [
        ("posting temporary documents TDs electronically by TSB", "TDs", True),
        ("posting temporary documents TDs electronically by TSB", "TSB", False),
        ("Quality of Service (QoS) classes", "QoS", True),
        ("maximum differential group delay DGD between SS and RS", "SS", False),
        ("What is a demarcation point in IP networks?", "IP", False),
    ],
)
def test_an_acronym_the_question_writes_out_is_not_expanded(text: str, acronym: str, written: bool) -> None:
    assert written_out(text, acronym) is written


def test_an_expansion_is_read_without_the_glossary_s_source_labels() -> None:
    assert (
        expansion_text("Time Division Multiplex [b-ITU-T J.83], [b-ITU-T J.84]") == "Time Division Multiplex"
    )
    assert expansion_text("Integrated Switched Digital Network [ITU-T J.115]") == (
        "Integrated Switched Digital Network"
    )
    assert expansion_text("Type-Length-Value") == "Type-Length-Value"


def test_a_glossary_s_spellings_of_one_expansion_count_as_one(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records.sqlite3")
    rows = [
        ("j.1.docx", "Type Length Value [b-ITU-T J.128], [b-ITU-T J.288]"),
        ("j.2.docx", "Type-Length-Value"),
        ("x.1.docx", "Transport Layer Vector"),
    ]
    for doc_id, expansion in rows:
        meta = DocumentMeta(doc_id=doc_id, rec_id=None, path=f"/docs/{doc_id}", content_hash=doc_id)
        store.mark_pending(meta.path, doc_id, doc_id, pipeline="test")
        records = Records(
            abbreviations=[Abbreviation(abbreviation="TLV", expansion=expansion, doc_id=doc_id)]
        )
        store.replace_document(meta, [Clause(number="4", heading="Abbreviations", level=1)], [], records)
    assert expand_acronyms(store, ["TLV"]) == {"TLV": ["Type Length Value", "Transport Layer Vector"]}
    assert parse_query("converting TLV packets", store).expansions["TLV"][0] == "Type Length Value"
    assert parse_query("type-length-value TLV packets", store).expansions == {}
    store.close()


@pytest.mark.parametrize(
    ("text", "asks_references"),
    [
        ("Does ITU-T G.191 reference ITU-T G.711?", True),
        ("Which documents does the widget identifier Recommendation reference?", True),
        ("normative references of the resistibility Recommendation", True),
        ("reference list of Y.3507", True),
        ("what does the benchmarking framework cite?", True),
        ("In ITU-T F.921, what is egocentric frame of reference?", False),
        ("What is a reference point?", False),
        ("the hypothetical reference circuit of the fixed-satellite service", False),
        ("the reference C code and the written specification give different values", False),
    ],
)
def test_questions_asking_what_a_document_cites(text: str, asks_references: bool) -> None:
    """The word naming a thing ("a reference point") does not ask what a document cites: such a
    question would have a named document's References pinned first."""
    assert parse_query(text).asks_references is asks_references
