"""End-to-end ingestion into a real Chroma + SQLite index, on a small subset of the real corpus."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.library import Library
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"


@pytest.fixture()
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(Settings(index=tmp_path / "index"))
    yield lib
    lib.close()


def test_ingest_is_incremental_and_replaces_changed_files(library: Library, tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    shutil.copy(SAMPLE, draft)
    first = library.ingest([draft])
    assert first.added == [str(draft.resolve())] and not first.failed
    chunks_before = first.chunks
    assert library.vectors.count() == chunks_before > 5

    again = library.ingest([draft])
    assert again.unchanged == [str(draft.resolve())] and not again.added and not again.updated

    draft.write_text(
        draft.read_text().replace("## 7 Requirements for monitoring", "## 7 Monitoring requirements")
    )
    changed = library.ingest([draft])
    assert changed.updated == [str(draft.resolve())]
    assert changed.chunks == chunks_before == library.vectors.count()
    headings = [c.heading for c in library.store.clauses(library.documents()[0].doc_id)]
    assert "Monitoring requirements" in headings and "Requirements for monitoring" not in headings


def test_remove_and_prune(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    a, b = folder / "a.md", folder / "b.md"
    shutil.copy(SAMPLE, a)
    b.write_text("# Note\n\n## 1 Scope\n\nA short note on test equipment calibration.\n")
    library.ingest([folder])
    assert len(library.documents()) == 2
    doc_b = next(d for d in library.documents() if d.path.endswith("b.md"))
    assert library.remove(doc_b.doc_id) == [doc_b.doc_id]
    assert len(library.documents()) == 1 and library.vectors.ids_of(doc_b.doc_id) == []
    a.unlink()
    report = library.ingest([folder], prune=True)
    assert report.removed == [str(a.resolve())]
    assert report.added == [str(b.resolve())], "a removed document whose file is still there comes back"
    assert [d.path for d in library.documents()] == [str(b.resolve())]
    assert library.vectors.count() == library.store.chunk_count() == 1


def test_bad_files_fail_with_reasons_and_leave_the_index_alone(library: Library, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    shutil.copy(SAMPLE, good)
    library.ingest([good])
    before = library.vectors.count()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "fake.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf\n")
    (bad / "latin1.txt").write_bytes("Clause 1 - caf\xe9 r\xe9seau".encode("latin-1"))
    (bad / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (bad / "archive.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    report = library.ingest([bad, tmp_path / "missing.docx", good])
    reasons = {Path(f.path).name: f.error for f in report.failed}
    assert set(reasons) == {"empty.pdf", "fake.pdf", "latin1.txt", "blob.bin", "archive.docx", "missing.docx"}
    assert "empty" in reasons["empty.pdf"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "unknown format" in reasons["blob.bin"]
    assert "no such file" in reasons["missing.docx"]
    assert report.unchanged == [str(good.resolve())]
    assert library.vectors.count() == before == library.store.chunk_count()


def test_real_documents_keep_structure_and_pages(library: Library, corpus_dir: Path) -> None:
    y1543 = corpus_dir / "itu-t" / "T-REC-Y.1543-201806-I!!MSW-E.docx"
    p839 = corpus_dir / "itu-r" / "R-REC-P.839-4-201309-I!!PDF-E.pdf"
    report = library.ingest([y1543, p839])
    assert not report.failed, report.failed
    docs = {d.rec_id: d for d in library.documents()}
    assert {"ITU-T Y.1543", "ITU-R P.839-4"} <= set(docs)
    pdf_chunks = library.store.chunks(docs["ITU-R P.839-4"].doc_id)
    assert pdf_chunks and all(c.page_start is not None for c in pdf_chunks)
    assert all(c.text.startswith(c.heading_path) for c in pdf_chunks)
    assert library.store.abbreviations("IPPM"), "Y.1543 abbreviations should be indexed"


def test_files_read_by_an_older_pipeline_are_read_again(library: Library, tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    shutil.copy(SAMPLE, draft)
    library.ingest([draft])
    with sqlite3.connect(library.settings.index / "records.sqlite3") as db:
        db.execute("UPDATE files SET pipeline = 'older'")
    report = library.ingest([draft])
    assert report.updated == [str(draft.resolve())]
    assert library.ingest([draft]).unchanged == [str(draft.resolve())]


def test_an_index_from_before_the_pipeline_column_is_migrated(tmp_path: Path) -> None:
    db_path = tmp_path / "index" / "records.sqlite3"
    db_path.parent.mkdir()
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, doc_id TEXT, content_hash TEXT, state TEXT)")
        db.execute("INSERT INTO files VALUES ('/old.md', 'old.md', 'abc', 'complete')")
    library = Library(Settings(index=tmp_path / "index"))
    state = library.store.file_state("/old.md")
    assert state is not None and state.pipeline == "" and state.content_hash == "abc"
    library.close()
