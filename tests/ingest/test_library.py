"""End-to-end ingestion into a real Chroma + SQLite index, on a small subset of the real corpus."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from chromadb.api.client import SharedSystemClient

from ingest.library import Library, repair_index
from ingest.models import IngestReport
from ingest.parsers import ParseError, parse_file
from rapporteur.errors import IndexDamaged, UsageError
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
DEV_ZERO = Path("/dev/zero")


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


def test_an_index_kept_in_the_folder_it_reads_is_not_read_as_documents(
    library: Library, tmp_path: Path
) -> None:
    """``rapporteur ingest .`` with the index in ./index: its SQLite and Chroma files are not documents."""
    shutil.copy(SAMPLE, tmp_path / "draft.md")
    first = library.ingest([tmp_path])
    again = library.ingest([tmp_path])
    assert len(first.added) == 1 and not first.failed
    assert again.unchanged == first.added and not again.failed and not again.added


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


def _notes(folder: Path, count: int) -> list[Path]:
    """Small distinct documents, enough to keep a parse pool's read-ahead window full."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"note-{n}.md"
        path.write_text(
            f"# Note {n}\n\n## 1 Scope\n\nNote {n} covers calibration step {n} of test equipment.\n"
        )
        paths.append(path)
    return paths


def test_parse_workers_give_the_same_index_as_reading_in_process(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    _notes(folder, 7)
    shutil.copy(SAMPLE, folder / "draft.md")
    (folder / "latin1.txt").write_bytes("Clause 1 - caf\xe9".encode("latin-1"))
    results = {}
    for workers in (1, 2):
        library = Library(Settings(index=tmp_path / f"index-{workers}", ingest={"parse_workers": workers}))
        progress: list[tuple[int, int, str]] = []
        report = library.ingest([folder], on_progress=lambda *p: progress.append(p))  # noqa: B023
        chunks = [(c.chunk_id, c.text) for d in library.documents() for c in library.store.chunks(d.doc_id)]
        results[workers] = (report, progress, chunks, library.vectors.count())
        library.close()
    (serial, serial_progress, serial_chunks, serial_vectors), parallel = results[1], results[2]
    assert parallel == results[1]
    assert [Path(p).name for p in serial.added] == ["draft.md"] + [f"note-{n}.md" for n in range(7)]
    assert [Path(f.path).name for f in serial.failed] == ["latin1.txt"] and "UTF-8" in serial.failed[0].error
    assert [p[0] for p in serial_progress] == list(range(10)) and serial_progress[-1] == (9, 9, "")
    assert serial_vectors == len(serial_chunks) == serial.chunks > 5


def test_same_file_names_in_one_run_get_distinct_ids(tmp_path: Path) -> None:
    """Workers read the second folder before the first is written: ids are reserved as files are planned."""
    first, second = _notes(tmp_path / "a", 4), _notes(tmp_path / "b", 4)
    library = Library(Settings(index=tmp_path / "index", ingest={"parse_workers": 2}))
    report = library.ingest([tmp_path / "a", tmp_path / "b", first[0]])
    assert report.added == [str(p.resolve()) for p in first + second], "a file named twice goes in once"
    ids = {Path(d.path).parent.name + "/" + Path(d.path).name: d.doc_id for d in library.documents()}
    assert ids == {f"a/note-{n}.md": f"note-{n}.md" for n in range(4)} | {
        f"b/note-{n}.md": f"note-{n}.md-2" for n in range(4)
    }
    library.close()


def test_a_dead_parse_worker_costs_no_file(tmp_path: Path) -> None:
    """Workers are killed (as the out-of-memory killer would) while files are in flight; the files
    they held are read again, and every file goes in."""
    files = _notes(tmp_path / "lib", 9)
    library = Library(Settings(index=tmp_path / "index", ingest={"parse_workers": 2}))
    killed: list[int] = []

    def kill_workers(done: int, total: int, current: str) -> None:
        if done == 0:
            for worker in multiprocessing.active_children():
                worker.kill()
                worker.join()
                killed.append(worker.pid or 0)

    report = library.ingest([tmp_path / "lib"], on_progress=kill_workers)
    assert killed, "the pool had workers to kill"
    assert not report.failed, report.failed
    assert report.added == [str(f.resolve()) for f in files]
    assert library.store.chunk_count() == library.vectors.count() == 9
    library.close()


def _two_notes(folder: Path) -> list[Path]:
    """Two short documents without a Recommendation identifier (contributions, drafts)."""
    folder.mkdir()
    notes = [folder / "latency.md", folder / "loss.md"]
    notes[0].write_text("# Note on latency\n\n## 1 Scope\n\nWidget latency is measured at the client.\n")
    notes[1].write_text("# Note on loss\n\n## 1 Scope\n\nWidget loss is counted per flow.\n")
    return notes


def test_an_empty_or_ambiguous_name_removes_nothing(library: Library, tmp_path: Path) -> None:
    latency, loss = _two_notes(tmp_path / "notes")
    shutil.copy(loss, tmp_path / "loss-copy.md")
    library.ingest([tmp_path / "notes", tmp_path / "loss-copy.md"])
    for empty in ("", "  "):
        with pytest.raises(UsageError, match="empty name"):
            library.remove(empty)
    assert len(library.documents()) == 3
    rec_id = "ITU-T Y.9999"
    library.store._db.execute("UPDATE documents SET rec_id = ? WHERE title = 'Note on loss'", (rec_id,))
    with pytest.raises(UsageError, match="matches 2 documents.*--all-matching"):
        library.remove("Y.9999")
    assert len(library.documents()) == 3
    assert len(library.remove("Y.9999", all_matching=True)) == 2
    assert [d.path for d in library.documents()] == [str(latency.resolve())]


def test_fifos_and_devices_are_refused_before_anything_is_read(library: Library, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    outcome: dict[str, IngestReport] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("report", library.ingest([fifo, DEV_ZERO])))
    worker.start()
    worker.join(timeout=120)  # a liveness guard: reading either would never end
    assert "report" in outcome, "ingest blocked on a FIFO or /dev/zero"
    failed = {f.path: f.error for f in outcome["report"].failed}
    assert set(failed) == {str(fifo), str(DEV_ZERO)}
    assert all("not a regular file" in error for error in failed.values()), failed
    with pytest.raises(ParseError, match="not a regular file"):
        parse_file(DEV_ZERO)


def test_a_deleted_vector_store_is_detected_and_rebuilt_from_the_records(tmp_path: Path) -> None:
    settings = Settings(index=tmp_path / "index")
    notes = _two_notes(tmp_path / "notes")
    library = Library(settings)
    chunks = library.ingest(notes).chunks
    library.close()
    shutil.rmtree(settings.index / "chroma")
    SharedSystemClient.clear_system_cache()  # as a new process would open it, not from this one's cache
    library = Library(settings)
    with pytest.raises(IndexDamaged, match=f"holds 0 vectors for {chunks} indexed chunks.*--repair"):
        library.ingest(notes)  # it used to report every file unchanged over an empty vector store
    library.close()
    report = repair_index(settings)
    assert report.vectors_restored == chunks and not report.records_damaged
    library = Library(settings)
    library.check_vectors()
    assert library.vectors.count() == chunks and library.ingest(notes).unchanged
    library.close()


def _stored_vectors(settings: Settings, ids: list[str]) -> np.ndarray:
    import chromadb

    client = chromadb.PersistentClient(
        path=str(settings.index / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    got = client.get_collection(settings.chroma.collection).get(ids=ids, include=["embeddings"])
    return np.array([got["embeddings"][got["ids"].index(i)] for i in ids])


def test_each_chunk_is_embedded_below_its_documents_title_also_when_repaired(tmp_path: Path) -> None:
    """The vector of '1 Scope: Widget latency is measured at the client.' is that of the passage under
    'Note on latency', whether ingest or repair wrote it."""
    settings = Settings(index=tmp_path / "index")
    library = Library(settings)
    library.ingest(_two_notes(tmp_path / "notes"))
    chunks = [(d.title, c) for d in library.documents() for c in library.store.chunks(d.doc_id)]
    assert {title for title, _ in chunks} == {"Note on latency", "Note on loss"}
    titled = library.embedder.embed([f"{title}\n{c.text}" for title, c in chunks])
    plain = library.embedder.embed([c.text for _, c in chunks])
    library.close()
    ids = [c.chunk_id for _, c in chunks]
    for stored in (_stored_vectors(settings, ids), None):
        if stored is None:  # the vector store lost, put back by repair
            shutil.rmtree(settings.index / "chroma")
            SharedSystemClient.clear_system_cache()
            assert repair_index(settings).vectors_restored == len(ids)
            stored = _stored_vectors(settings, ids)
        assert np.allclose((stored * titled).sum(axis=1), 1.0, atol=1e-4)
        assert ((stored * plain).sum(axis=1) < 0.99).all()


def test_a_cut_short_or_emptied_record_store_is_refused_and_repair_starts_it_afresh(tmp_path: Path) -> None:
    settings = Settings(index=tmp_path / "index")
    notes = _two_notes(tmp_path / "notes")
    library = Library(settings)
    library.ingest([SAMPLE, *notes])
    library.close()
    records = settings.index / "records.sqlite3"
    os.truncate(records, records.stat().st_size // 2)
    with pytest.raises(IndexDamaged, match="records.sqlite3 cannot be read"):
        Library(settings)
    records.write_bytes(b"")
    SharedSystemClient.clear_system_cache()
    with pytest.raises(IndexDamaged, match=r"records.sqlite3 is empty \(0 bytes\)"):
        Library(settings)
    report = repair_index(settings)
    assert report.records_damaged and report.vector_store_reset
    assert report.moved_aside and Path(report.moved_aside).is_file()
    library = Library(settings)
    library.check_vectors()
    assert library.ingest(notes).added and library.vectors.count() == library.store.chunk_count()
    library.close()


LONG_CLAUSE = (
    "# Note on gateways\n\n## 1 Scope\n\nThis note covers gateways.\n\n## 6 Gateway behaviour\n\n"
    + " ".join(f"The gateway logs event {n} in its management record." for n in range(40))
    + "\n\nLate voice packets are discarded by the jitter buffer of the satellite gateway.\n"
)


def test_long_chunks_get_window_vectors_that_repair_adds_to_an_older_index(tmp_path: Path) -> None:
    import chromadb

    from copilot.retrieval import IndexReader

    note = tmp_path / "note.md"
    note.write_text(LONG_CLAUSE)
    settings = Settings(index=tmp_path / "index", ingest={"dense_windows": True})
    library = Library(settings)
    library.ingest([note])
    doc_id = library.documents()[0].doc_id
    wanted = sorted(
        f"{c.chunk_id}#w{n}"
        for c in library.store.chunks(doc_id)
        for n in range(1, len(library.embedder.windows(c.text)))
    )
    long_ones = {c.clause for c in library.store.chunks(doc_id) if len(library.embedder.windows(c.text)) > 1}
    assert wanted and long_ones == {"6"}
    assert sorted(library.windows.ids_of(doc_id)) == wanted
    expected = len(wanted)
    library.close()

    # An index from before windows: no windows collection. Readers leave it so; repair adds them.
    SharedSystemClient.clear_system_cache()
    chromadb.PersistentClient(
        path=str(settings.index / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
    ).delete_collection(f"{settings.chroma.collection}_windows")
    SharedSystemClient.clear_system_cache()
    reader = IndexReader(settings)
    assert reader.existing_windows is None and reader.existing_windows is None
    reader.close()
    told: list[tuple[int, int, str]] = []
    report = repair_index(settings, on_progress=lambda done, total, what: told.append((done, total, what)))
    assert report.windows_restored == expected and report.vectors_restored == 0
    assert told == [(1, 1, f"vectors {doc_id}"), (1, 1, f"windows {doc_id}")]  # the 7-minute upgrade shows
    assert repair_index(settings).windows_restored == 0

    library = Library(settings)
    assert library.remove(doc_id) == [doc_id]
    assert library.windows.ids_of(doc_id) == [] and library.windows.count() == 0
    library.close()
