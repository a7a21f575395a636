"""Every format of the synthetic ITU-style library (tests/data/synthetic) through the whole ingest
pipeline, then the store: what a clone without ../shared checks about parsing, records and the index."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingest.catalog import RecStatus, ReferenceCatalog
from ingest.chunker import ClauseChunker
from ingest.library import Library, PreparedDocument, prepare_document
from ingest.parsers.base import Limits
from ingest.store import file_hash
from rapporteur.settings import Settings
from tests.synthetic import SM9903_PDF, Y9904_DOCX


@dataclass(frozen=True)
class Expected:
    """What one synthetic file must parse into."""

    file: str
    format: str
    rec_id: str
    edition: str
    title: str
    clauses: tuple[str, ...]
    definitions: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """clause -> (term, source tag)"""
    abbreviations: dict[str, str] = field(default_factory=dict)
    references: dict[str, str | None] = field(default_factory=dict)
    """cited id -> edition year"""


DOCUMENTS = [
    Expected(
        "Y.9901-202403.md",
        "markdown",
        "ITU-T Y.9901",
        "2024-03",
        "Requirements for a fictional widget network",
        (
            "Summary",
            "Keywords",
            "1",
            "2",
            "3",
            "3.1",
            "3.2",
            "4",
            "5",
            "6",
            "7",
            "Annex A",
            "A.1",
            "A.2",
            "Appendix I",
        ),  # fmt: skip
        {
            "3.1.1": ("telemetry collector", "[ITU-T Y.9902]"),
            "3.1.2": ("widget identifier", "[ITU-T Y.9904]"),
            "3.2.1": ("widget", None),
            "3.2.2": ("widget hub", None),
            "3.2.3": ("widget controller", None),
        },
        {"WC": "Widget Controller", "WH": "Widget Hub", "WID": "Widget Identifier"},
        {"ITU-T Y.9902": "2023", "ITU-T Y.9904": "2022"},
    ),
    Expected(
        "Y.9902-202311.adoc",
        "asciidoc",
        "ITU-T Y.9902",
        "2023-11",
        "Framework of widget telemetry",
        (
            "Summary",
            "Keywords",
            "1",
            "2",
            "3",
            "3.1",
            "3.1.1",
            "3.2",
            "3.2.1",
            "3.2.2",
            "3.2.3",
            "4",
            "5",
            "6",
            "6.1",
            "6.2",
            "7",
            "Appendix I",
        ),  # fmt: skip
        {
            "3.1.1": ("widget identifier", "[ITU-T Y.9904]"),
            "3.2.1": ("telemetry record", None),
            "3.2.2": ("telemetry collector", None),
            "3.2.3": ("sampling interval", None),
        },
        {"TC": "Telemetry Collector", "TR": "Telemetry Record"},
        {"ITU-T Y.9904": "2022"},
    ),
    Expected(
        "Y.9905-202406.html",
        "html",
        "ITU-T Y.9905",
        "2024-06",
        "Energy efficiency of widget hubs",
        ("Summary", "Keywords", "1", "2", "3", "3.1", "3.2", "4", "5", "6", "7"),
        {
            "3.1.1": ("widget hub", "[ITU-T Y.9901]"),
            "3.2.1": ("deep sleep", None),
            "3.2.2": ("energy per reading", None),
        },
        {"EPR": "Energy Per Reading", "WH": "Widget Hub"},
        {"ITU-T Y.9901": "2024"},
    ),
    Expected(
        Y9904_DOCX,
        "docx",
        "ITU-T Y.9904",
        "2022-06",
        "Management of widget identifiers",
        ("Summary", "Keywords", "1", "2", "3", "3.1", "3.2", "4", "5", "6", "7", "Annex A", "A.1"),
        {"3.2.1": ("widget identifier", None), "3.2.2": ("manufacturer code", None)},
        {"MC": "Manufacturer Code", "RA": "Registration Authority"},
    ),
    Expected(
        SM9903_PDF,
        "pdf",
        "ITU-R SM.9903-1",
        "2023-05",
        "Measurement of spurious emissions from widget transmitters",
        (
            "Scope",
            "Keywords",
            "considering",
            "recommends",
            "Annex 1",
            "Annex 1 § 1",
            "Annex 1 § 2",
            "Annex 1 § 3",
        ),  # fmt: skip
    ),
]


def prepare(path: Path) -> PreparedDocument:
    return prepare_document(path, path.name.lower(), Limits(), ClauseChunker(), file_hash(path))


@pytest.mark.parametrize("expected", DOCUMENTS, ids=lambda e: e.format)
def test_each_format_gives_the_clause_tree_and_records(synthetic_corpus: Path, expected: Expected) -> None:
    doc = prepare(synthetic_corpus / expected.file)
    meta = doc.meta
    assert (meta.format, meta.rec_id, meta.edition, meta.title, meta.kind.value) == (
        expected.format,
        expected.rec_id,
        expected.edition,
        expected.title,
        "Recommendation",
    )
    assert tuple(c.number for c in doc.clauses) == expected.clauses
    definitions = {d.clause: (d.term, d.source_tag) for d in doc.records.definitions}
    assert definitions == expected.definitions
    assert all(d.defined_here == (d.source_tag is None) for d in doc.records.definitions)
    assert {a.abbreviation: a.expansion for a in doc.records.abbreviations} == expected.abbreviations
    assert {r.cited_id: r.edition_year for r in doc.records.references} == expected.references
    assert doc.chunks and all(c.rec_id == expected.rec_id for c in doc.chunks)


def test_clause_text_keeps_its_paragraphs_and_the_pdf_its_pages(synthetic_corpus: Path) -> None:
    y9901 = {c.number: c for c in prepare(synthetic_corpus / "Y.9901-202403.md").clauses}
    assert y9901["A.2"].parent == "Annex A" and "0000 is reserved" in y9901["A.2"].text
    assert y9901["6"].text.startswith("6.1 A widget hub (WH) is required to forward every reading")
    sm9903 = {c.number: c for c in prepare(synthetic_corpus / SM9903_PDF).clauses}
    assert (sm9903["considering"].page_start, sm9903["Annex 1 § 2"].page_start) == (1, 2)
    assert "resolution bandwidth is 100 kHz" in sm9903["Annex 1 § 2"].text


def test_the_synthetic_catalog_reads_like_the_real_one(synthetic_corpus: Path) -> None:
    catalog = ReferenceCatalog(synthetic_corpus / "catalog" / "itu-recommendations.jsonl")
    assert len(catalog) == 7
    assert catalog.latest("Y.9902").label == "ITU-T Y.9902 (11/2023)"
    assert catalog.status_of("Y.9902", "2019") is RecStatus.SUPERSEDED
    assert catalog.title_of("ITU-T Y.9904") == "Management of widget identifiers"
    assert catalog.canonical("sm.9903") == "ITU-R SM.9903"
    assert catalog.status_of("SM.9903-0") is RecStatus.SUPERSEDED
    assert catalog.entry("Y.9999") is None


def test_the_whole_library_is_indexed_with_its_records(synthetic_library: Settings) -> None:
    library = Library(synthetic_library)
    try:
        docs = {d.rec_id: d for d in library.documents()}
        assert set(docs) == {e.rec_id for e in DOCUMENTS}
        assert all(d.chunks > 0 and d.content_hash for d in docs.values())
        text = library.clause_text(docs["ITU-T Y.9901"], "Annex A")
        assert text is not None and "A.1 Structure" in text.text and "A.2 Reserved values" in text.text
        defined = library.store.definitions("widget identifier")
        assert {(d.rec_id, d.defined_here) for d in defined} >= {
            ("ITU-T Y.9904", True),
            ("ITU-T Y.9901", False),
            ("ITU-T Y.9902", False),
        }
        assert {a.rec_id for a in library.store.abbreviations("WH")} == {"ITU-T Y.9901", "ITU-T Y.9905"}
        references = library.store.references([docs["ITU-T Y.9901"].doc_id])
        assert {r.cited_id for r in references} == {"ITU-T Y.9902", "ITU-T Y.9904"}
    finally:
        library.close()


def test_reingest_skips_unchanged_files_updates_an_edited_one_and_remove_drops_it(
    synthetic_corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("Y.9901-202403.md", "Y.9905-202406.html"):
        shutil.copy(synthetic_corpus / name, folder / name)
    library = Library(Settings(index=tmp_path / "index", llm={"enabled": False}))
    try:
        first = library.ingest([folder])
        assert (len(first.added), first.failed) == (2, [])
        chunks = first.chunks
        again = library.ingest([folder])
        assert (again.added, len(again.unchanged), again.chunks) == ([], 2, chunks)

        edited = folder / "Y.9905-202406.html"
        edited.write_text(edited.read_text().replace("15 minutes", "20 minutes"))
        update = library.ingest([folder])
        assert (len(update.updated), len(update.unchanged)) == (1, 1)
        y9905 = library.resolve("Y.9905")
        assert y9905 is not None
        sleep = library.clause_text(y9905, "7")
        assert sleep is not None and "20 minutes" in sleep.text

        assert library.remove("Y.9905") == [y9905.doc_id]
        assert [d.rec_id for d in library.documents()] == ["ITU-T Y.9901"]
        assert library.store.chunks(y9905.doc_id) == []
        assert library.vectors.count() == library.store.chunk_count()
    finally:
        library.close()
